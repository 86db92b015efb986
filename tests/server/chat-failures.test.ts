import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HttpClient } from '../support/http-client'
import { deltas, sendChat, userMessage } from '../support/chat-client'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

let stack: Stack
let client: HttpClient

interface Recorded { lastUserText: string, aborted: boolean, api: string, path: string, auth: string, endedAt: number | null }

async function recorded(text: string): Promise<Recorded[]> {
  const all = await fetch(`${stack.openai.url}/_emulator/requests`).then(r => r.json()) as Recorded[]
  return all.filter(r => r.lastUserText === text)
}

async function storedAnswer(chatId: string) {
  const page = await api(client, `${stack.app.url}/api/chats/${chatId}/messages`)
  return page.json.messages as Array<{ role: string, status: string, error: string | null, parts: Array<{ text: string }> }>
}

beforeAll(async () => {
  stack = await startStack({ env: { CHAT_TIMEOUT_SECONDS: '3' }, servers: 3 })
  client = (await signIn(stack.app, accounts.megan)).client
})
afterAll(async () => {
  await stack?.stop()
})

describe('nothing is lost', () => {
  it('Stop aborts the Azure request at once and keeps what came as stopped', async () => {
    const chatId = randomUUID()
    const text = `Slow answer please [[emulator:slow]] ${randomUUID()}`
    let stop: Record<string, unknown> | undefined
    const result = await sendChat(client, stack.app.url, chatId, { message: userMessage(text) }, async (_, events) => {
      if (deltas(events) === 3 && !stop) stop = (await api(client, `${stack.app.url}/api/chats/${chatId}/stop`, { method: 'POST', headers: { origin: stack.app.url } })).json
    })
    // Stop answers once the stopped answer is stored.
    expect(stop).toMatchObject({ stopped: true, message: { status: 'stopped', error: 'Stopped before the answer was complete.' } })
    expect(result.status).toBe(200)
    const stoppedAt = Date.now()
    await expect.poll(async () => (await recorded(text))[0]?.aborted, { timeout: 1000, interval: 20 }).toBe(true)
    expect(Date.now() - stoppedAt).toBeLessThan(1000)
    await expect.poll(async () => (await storedAnswer(chatId))[1]?.error).toBe('Stopped before the answer was complete.')
    const [question, answer] = await storedAnswer(chatId)
    expect(question!.parts[0]!.text).toBe(text)
    expect(answer!.status).toBe('stopped')
    expect(answer!.parts[0]!.text.length).toBeGreaterThan(0)
    expect(answer!.parts[0]!.text.length).toBeLessThan(result.text.length + 200)
  })

  it('a client that disconnects still gets the whole answer stored', async () => {
    const chatId = randomUUID()
    const text = `Keep going [[emulator:delay=20]] ${randomUUID()}`
    await sendChat(client, stack.app.url, chatId, { message: userMessage(text) }, (_, events) => deltas(events) === 3 ? 'abort' : undefined)
    await expect.poll(async () => (await storedAnswer(chatId))[1]?.status, { timeout: 10_000 }).toBe('complete')
    const [call] = await recorded(text)
    expect(call!.aborted).toBe(false)
    expect((await storedAnswer(chatId))[1]!.parts[0]!.text).toContain('You asked')
  })

  it('a connection dropped by Azure mid-answer stores what came as failed, and the user sees why', async () => {
    const chatId = randomUUID()
    const result = await sendChat(client, stack.app.url, chatId, { message: userMessage('Drop me [[emulator:drop]]') })
    const error = result.events.find(e => e.type === 'error')
    expect(error?.errorText).toBe('The connection to the model was lost in the middle of the answer. Please try again.')
    await expect.poll(async () => (await storedAnswer(chatId))[1]?.status).toBe('failed')
    const [question, answer] = await storedAnswer(chatId)
    expect(question!.role).toBe('user')
    expect(answer!.parts[0]!.text.length).toBeGreaterThan(0)
  })

  it('an answer cut by the content filter is kept as truncated (Responses API)', async () => {
    const chatId = randomUUID()
    const result = await sendChat(client, stack.app.url, chatId, { message: userMessage('Tell me [[emulator:content-filter-output]]') })
    expect(result.status).toBe(200)
    expect(result.events.at(-1)).toMatchObject({ type: 'finish', messageMetadata: { status: 'truncated' } })
    await expect.poll(async () => (await storedAnswer(chatId))[1]?.status).toBe('truncated')
    expect((await storedAnswer(chatId))[1]!.error).toBe('The rest of this answer was withheld by the company\'s content filter.')
  })

  it('names the category when Chat Completions says which filter cut the answer', async () => {
    const app = await stack.startApp({ AZURE_OPENAI_API: 'chat' })
    try {
      const { client: other } = await signIn(app, accounts.alex)
      const chatId = randomUUID()
      await sendChat(other, app.url, chatId, { message: userMessage('Tell me [[emulator:content-filter-output]]') })
      const page = await api(other, `${app.url}/api/chats/${chatId}/messages`)
      expect(page.json.messages[1]).toMatchObject({ status: 'truncated', error: 'The rest of this answer was withheld by the company\'s content filter (violence).' })
    }
    finally {
      await app.stop()
    }
  })
})

describe('Azure failures become clear messages', () => {
  it.each([
    ['a prompt blocked by the content filter', '[[emulator:content-filter-prompt]]', 400, 'Your message was blocked by the company\'s content filter (hate). Please rephrase it.'],
    ['a rejected credential', '[[emulator:401]]', 503, 'The assistant is misconfigured and cannot reach the model right now. Your message is saved; please tell the service desk.'],
    ['a model that never answers', '[[emulator:hang]]', 504, 'The model took too long to answer. Please try again.'],
  ])('%s', async (_, trigger, status, message) => {
    const chatId = randomUUID()
    const result = await sendChat(client, stack.app.url, chatId, { message: userMessage(`Hello ${trigger}`) })
    expect(result.status).toBe(status)
    expect(result.json.message).toBe(message)
    const [question, answer] = await storedAnswer(chatId)
    expect(question!.parts[0]!.text).toBe(`Hello ${trigger}`)
    expect(answer).toMatchObject({ status: 'failed', error: message })
  })

  it('logs a precise line for the operator when Azure refuses the credential', async () => {
    await sendChat(client, stack.app.url, randomUUID(), { message: userMessage('Creds [[emulator:401]]') })
    expect(stack.app.output()).toMatch(/Azure OpenAI refused our credentials \(401\) at .*check AZURE_OPENAI_API_KEY.*\(Azure request [0-9a-f-]{36}\)/)
  })

  it('retries a 429 transparently when Azure lets us', async () => {
    const result = await sendChat(client, stack.app.url, randomUUID(), { message: userMessage(`Busy once [[emulator:429-once]] ${randomUUID()}`) })
    expect(result.status).toBe(200)
    expect(result.text).toContain('You asked')
  })

  it('passes a persistent 429 on with Retry-After', async () => {
    const result = await sendChat(client, stack.app.url, randomUUID(), { message: userMessage('Always busy [[emulator:429]]') })
    expect(result.status).toBe(429)
    expect(result.headers.get('retry-after')).toBe('2')
    expect(result.json.message).toBe('The assistant is busy right now (Azure OpenAI rate limit). Please try again in 2 seconds.')
  })

  it('says the assistant is misconfigured when the deployment does not exist', async () => {
    const app = await stack.startApp({ AZURE_OPENAI_DEPLOYMENT: 'no-such-deployment' })
    try {
      const { client: other } = await signIn(app, accounts.alex)
      const result = await sendChat(other, app.url, randomUUID(), { message: userMessage('Hello') })
      expect(result.status).toBe(503)
      expect(app.output()).toMatch(/Azure OpenAI answered 404 at .*check AZURE_OPENAI_DEPLOYMENT/)
    }
    finally {
      await app.stop()
    }
  })
})
