import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deltas, sendChat, userMessage } from '../support/chat-client'
import { startPrivatePostgres } from '../support/private-postgres'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

describe('PostgreSQL restarts while requests are in flight', () => {
  let pg: Awaited<ReturnType<typeof startPrivatePostgres>>
  let stack: Stack
  beforeAll(async () => {
    pg = await startPrivatePostgres()
    stack = await startStack({ db: { kind: 'postgres', url: pg.url, env: { DATABASE_URL: pg.url }, drop: async () => {} } })
  })
  afterAll(async () => {
    await stack?.stop()
    pg?.destroy()
  })

  it('answers 503 during the outage, reports it in readiness, recovers by itself and loses no accepted message', async () => {
    const { client } = await signIn(stack.app, accounts.megan)
    const chatId = randomUUID()
    const accepted: string[] = []
    const before = userMessage('Before the outage')
    expect((await sendChat(client, stack.app.url, chatId, { message: before })).status).toBe(200)
    accepted.push(before.id)

    // An answer is streaming when the database goes away.
    const inFlight = userMessage('In flight [[emulator:delay=30]]')
    const streaming = await sendChat(client, stack.app.url, chatId, { message: inFlight }, (_, events) => {
      if (deltas(events) === 2) pg.stop('fast')
    })
    expect(streaming.status).toBe(200)
    accepted.push(inFlight.id)

    const during = await sendChat(client, stack.app.url, chatId, { message: userMessage('During the outage') })
    expect(during.status).toBe(503)
    expect(during.json.message).toBe('The database is unavailable right now. Please try again in a moment; nothing you sent before this was lost.')
    const ready = await api(client, `${stack.app.url}/api/ready`)
    expect(ready.status).toBe(503)
    expect(ready.json.reason).toMatch(/PostgreSQL at 127\.0\.0\.1:\d+\/app is not answering/)

    pg.start()
    await expect.poll(async () => (await fetch(`${stack.app.url}/api/ready`)).status, { timeout: 20_000 }).toBe(200)
    const after = userMessage('After the outage')
    expect((await sendChat(client, stack.app.url, chatId, { message: after })).status).toBe(200)
    accepted.push(after.id)

    const page = await api(client, `${stack.app.url}/api/chats/${chatId}/messages`)
    const stored = (page.json.messages as Array<{ id: string }>).map(m => m.id)
    for (const id of accepted) expect(stored).toContain(id)
    expect(stack.app.process.exitCode).toBeNull()
  })
})

describe('the server is killed mid-answer', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ servers: 2 })
  })
  afterAll(async () => {
    await stack?.stop()
  })

  it('keeps the question, and after a restart shows the answer as incomplete', async () => {
    const { client } = await signIn(stack.app, accounts.alex)
    const chatId = randomUUID()
    const question = userMessage('Tell me slowly [[emulator:slow]]')
    // The stream breaks off with the process: that is the point.
    await sendChat(client, stack.app.url, chatId, { message: question }, (_, events) => {
      if (deltas(events) === 8) stack.app.process.kill('SIGKILL')
    }).catch(() => undefined)
    await stack.app.exited
    const restarted = await stack.startApp({}, { sameDatabaseAs: stack.app })
    const { client: again } = await signIn(restarted, accounts.alex)
    // On PostgreSQL another replica may still be writing it until its heartbeat is stale (6 s),
    // so the answer is shown as interrupted once the sweep (every 2 s) has seen that.
    await expect.poll(async () => (await api(again, `${restarted.url}/api/chats/${chatId}/messages`)).json.messages?.[1]?.status, { timeout: 15_000, interval: 500 })
      .toBe('interrupted')
    const page = await api(again, `${restarted.url}/api/chats/${chatId}/messages`)
    expect(page.status).toBe(200)
    expect(page.json.messages[0]).toMatchObject({ id: question.id, role: 'user' })
    expect(page.json.messages[1]).toMatchObject({ role: 'assistant', status: 'interrupted', error: expect.stringContaining('interrupted') })
  })
})

describe('many copies of one message at once', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ env: { RATE_LIMIT_REQUESTS_PER_MINUTE: '10000' } })
  })
  afterAll(async () => {
    await stack?.stop()
  })

  it('200 concurrent sends of the same message id store one question and one answer, from one model call', async () => {
    const { client } = await signIn(stack.app, accounts.lynne)
    const chatId = randomUUID()
    const message = userMessage(`Only once ${randomUUID()}`)
    const results = await Promise.all(Array.from({ length: 200 }, () => sendChat(client, stack.app.url, chatId, { message })))
    for (const result of results) expect([200, 409]).toContain(result.status)
    expect(results.filter(r => r.status === 200).length).toBeGreaterThan(0)
    const calls = (await fetch(`${stack.openai.url}/_emulator/requests`).then(r => r.json()) as Array<{ lastUserText: string }>)
      .filter(r => r.lastUserText === message.parts[0]!.text)
    expect(calls).toHaveLength(1)
    await expect.poll(async () => (await api(client, `${stack.app.url}/api/chats/${chatId}/messages`)).json.messages.map((m: { role: string, status: string }) => `${m.role}:${m.status}`))
      .toEqual(['user:complete', 'assistant:complete'])
  })
})
