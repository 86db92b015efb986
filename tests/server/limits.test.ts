import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendChat, userMessage } from '../support/chat-client'
import { createTestDatabase } from '../support/database'
import { accounts, signIn, startStack, type Stack } from '../support/stack'

// Counted in PostgreSQL, so two server processes share every budget.
describe('per-user limits across server processes', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({
      db: await createTestDatabase({ kind: 'postgres' }),
      servers: 2,
      env: { RATE_LIMIT_REQUESTS_PER_MINUTE: '3', DAILY_TOKEN_QUOTA: '60' },
    })
  })
  afterAll(async () => {
    await stack?.stop()
    await stack?.db.drop()
  })

  it('answers 429 with Retry-After beyond the per-minute rate, whichever process counts', async () => {
    const second = await stack.startApp()
    const { client } = await signIn(stack.app, accounts.megan)
    client.setCookie(second.url, 'next-auth.session-token', client.cookies(stack.app.url).get('next-auth.session-token')!)
    // The window is a clock minute: start well inside one, so four quick sends share it.
    await expect.poll(() => Date.now() % 60_000 < 50_000, { timeout: 15_000, interval: 250 }).toBe(true)
    const statuses: number[] = []
    let last
    for (let i = 0; i < 4; i++) {
      // Short questions: this test is about the request rate, not the token quota.
      last = await sendChat(client, (i % 2 ? second : stack.app).url, randomUUID(), { message: userMessage('Hi [[emulator:content-filter-prompt]]') })
      statuses.push(last.status)
    }
    expect(statuses.slice(0, 3)).not.toContain(429)
    expect(statuses[3]).toBe(429)
    const wait = Number(last!.headers.get('retry-after'))
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(60)
    expect(last!.json.message).toBe(`You have sent 3 messages in the last minute, the most allowed. Please wait ${wait} seconds.`)
  })

  it('refuses new answers once today\'s tokens are used, until midnight UTC', async () => {
    const { client } = await signIn(stack.app, accounts.alex)
    const first = await sendChat(client, stack.app.url, randomUUID(), { message: userMessage('Tell me a long story [[emulator:long]]') })
    expect(first.status).toBe(200)
    const chatId = randomUUID()
    const second = await sendChat(client, stack.app.url, chatId, { message: userMessage('And another') })
    expect(second.status).toBe(429)
    // The refused question is kept, and no answer's row is left behind to block a later re-send.
    const stored = await (await client.fetch(`${stack.app.url}/api/chats/${chatId}/messages`)).json() as { messages: Array<{ role: string, parts: Array<{ text: string }> }> }
    expect(stored.messages.map(m => [m.role, m.parts.map(p => p.text).join('')])).toEqual([['user', 'And another']])
    expect(second.json.message).toBe('You have used today\'s allowance of 60 tokens. It renews at midnight UTC.')
    const untilMidnight = Math.ceil((new Date().setUTCHours(24, 0, 0, 0) - Date.now()) / 1000)
    expect(Math.abs(Number(second.headers.get('retry-after')) - untilMidnight)).toBeLessThan(5)
  })
})
