import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppServer } from '../support/app-server'
import { deltas, followChat, sendChat, userMessage } from '../support/chat-client'
import { createTestDatabase } from '../support/database'
import type { HttpClient } from '../support/http-client'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

// Two replicas on one PostgreSQL, no sticky sessions: a chat turn must behave the same whichever
// replica a request lands on (server/chat/turn.ts).
let stack: Stack
let a: AppServer
let b: AppServer
let client: HttpClient

beforeAll(async () => {
  stack = await startStack({
    db: await createTestDatabase({ kind: 'postgres' }),
    servers: 4,
    env: { RATE_LIMIT_REQUESTS_PER_MINUTE: '10000' },
  })
  a = stack.app
  b = await stack.startApp()
  client = (await signIn(a, accounts.megan)).client
  shareCookie(b)
})
afterAll(async () => {
  await stack?.stop()
  await stack?.db.drop()
})

function shareCookie(server: AppServer) {
  client.setCookie(server.url, 'next-auth.session-token', client.cookies(a.url).get('next-auth.session-token')!)
}

async function modelCalls(text: string) {
  const all = await fetch(`${stack.openai.url}/_emulator/requests`).then(r => r.json()) as Array<{ lastUserText: string, aborted: boolean }>
  return all.filter(r => r.lastUserText === text)
}

async function stored(server: AppServer, chatId: string) {
  const page = await api(client, `${server.url}/api/chats/${chatId}/messages`)
  return page.json.messages as Array<{ id: string, role: string, status: string, error: string | null, parts: Array<{ text: string }> }>
}

describe('a chat turn across two replicas', () => {
  it('stops on B an answer streaming on A: Azure is aborted within a second and the answer is stored as stopped', async () => {
    const chatId = randomUUID()
    const text = `Slow answer please [[emulator:slow]] ${randomUUID()}`
    let stop: Record<string, unknown> | undefined
    let askedAt = 0
    const result = await sendChat(client, a.url, chatId, { message: userMessage(text) }, async (_, events) => {
      if (deltas(events) !== 3 || stop) return
      askedAt = Date.now()
      stop = (await api(client, `${b.url}/api/chats/${chatId}/stop`, { method: 'POST', headers: { origin: b.url } })).json
    })
    // B answers once the answer is stored as stopped, though A wrote it.
    expect(stop).toMatchObject({ stopped: true, message: { status: 'stopped', error: 'Stopped before the answer was complete.' } })
    await expect.poll(async () => (await modelCalls(text))[0]?.aborted, { timeout: 1000, interval: 20 }).toBe(true)
    expect(Date.now() - askedAt).toBeLessThan(1500)
    const [, answer] = await stored(b, chatId)
    expect(answer).toMatchObject({ status: 'stopped' })
    // The stored text is what A's client was shown, and the stop result carries it.
    expect(answer!.parts[0]!.text).toBe(result.text)
    expect((stop!.message as { text: string }).text).toBe(result.text)
  })

  it('follows on B an answer streaming on A: every token exactly once, in order, equal to what is stored', async () => {
    const chatId = randomUUID()
    const text = `Keep going [[emulator:delay=15]] ${randomUUID()}`
    let follower: Promise<Awaited<ReturnType<typeof followChat>>> | undefined
    const original = await sendChat(client, a.url, chatId, { message: userMessage(text) }, (_, events) => {
      if (deltas(events) === 5) follower = followChat(client, `${b.url}/api/chats/${chatId}/stream`)
    })
    const followed = await follower!
    expect(followed.status).toBe(200)
    const [, answer] = await stored(a, chatId)
    expect(answer).toMatchObject({ status: 'complete' })
    expect(followed.text).toBe(answer!.parts[0]!.text)
    expect(original.text).toBe(answer!.parts[0]!.text)
    // Joined mid-answer: the text so far came first, then the rest live, under the answer's id.
    expect(followed.events[0]).toMatchObject({ type: 'start', messageId: answer!.id })
    expect(deltas(followed.events)).toBeGreaterThan(1)
    expect(followed.events.at(-1)).toMatchObject({ type: 'finish', messageMetadata: { status: 'complete' } })
    expect(await modelCalls(text)).toHaveLength(1)
  })

  it('answers 204 to a follower when nothing is being written, and 404 for a chat that is not mine', async () => {
    const chatId = randomUUID()
    await sendChat(client, a.url, chatId, { message: userMessage('Short one') })
    expect((await followChat(client, `${b.url}/api/chats/${chatId}/stream`)).status).toBe(204)
    const { client: alex } = await signIn(b, accounts.alex)
    expect((await followChat(alex, `${b.url}/api/chats/${chatId}/stream`)).status).toBe(404)
    expect((await api(alex, `${b.url}/api/chats/${chatId}/stop`, { method: 'POST', headers: { origin: b.url } })).status).toBe(404)
  })

  it('sends one question, one answer and one model call for 200 concurrent re-sends spread over both', async () => {
    const chatId = randomUUID()
    const text = `Once only [[emulator:delay=10]] ${randomUUID()}`
    const message = userMessage(text)
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => sendChat(client, (i % 2 ? b : a).url, chatId, { message })))
    const messages = await stored(a, chatId)
    expect(messages.map(m => m.role)).toEqual(['user', 'assistant'])
    expect(messages[1]!.status).toBe('complete')
    expect(await modelCalls(text)).toHaveLength(1)
    for (const result of results) {
      expect(result.status).toBe(200)
      expect(result.text).toBe(messages[1]!.parts[0]!.text)
    }
  })

  it('marks an answer interrupted within seconds when its replica is killed, and the other replica serves it', async () => {
    const doomed = await stack.startApp()
    shareCookie(doomed)
    const chatId = randomUUID()
    const text = `Slow answer please [[emulator:slow]] ${randomUUID()}`
    let killedAt = 0
    // The stream breaks off with the process: that is the point.
    await sendChat(client, doomed.url, chatId, { message: userMessage(text) }, (_, events) => {
      if (deltas(events) !== 6 || killedAt) return
      killedAt = Date.now()
      doomed.process.kill('SIGKILL')
    }).catch(() => undefined)
    await doomed.exited
    // B, following, is told how the answer ended once the turn is swept.
    const followed = await followChat(client, `${b.url}/api/chats/${chatId}/stream`)
    expect(followed.events.at(-1)).toMatchObject({ type: 'finish', messageMetadata: { status: 'interrupted' } })
    expect(Date.now() - killedAt).toBeLessThan(15_000)
    const [, answer] = await stored(b, chatId)
    expect(answer).toMatchObject({ status: 'interrupted', error: expect.stringContaining('Regenerate') })
    expect(followed.text).toBe(answer!.parts[0]?.text ?? '')
    // Regenerate on B answers it again.
    const again = await sendChat(client, b.url, chatId, { message: userMessage(text, (await stored(b, chatId))[0]!.id), trigger: 'regenerate-message', messageId: answer!.id })
    expect(again.status).toBe(200)
    expect((await stored(b, chatId))[1]).toMatchObject({ status: 'complete' })
  })
})
