import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backdateChat, call, chatOnce, person, type Person } from '../support/admin'
import { accounts, api, startStack, type Stack } from '../support/stack'

let stack: Stack
let admin: Person

const SYSTEM_PROMPT = 'Be brief.'
const words = (text: string) => text.split(/\s+/).filter(Boolean).length

interface Seeded { user: string, day: string, tokens: number, failed: boolean }
const seeded: Seeded[] = []

/** One chat with one question, `daysAgo` in the past; remembers what the dashboard should count. */
async function ask(who: Person, text: string, daysAgo = 0) {
  const sent = await chatOnce(stack, who.client, text)
  const failed = sent.status !== 200
  if (daysAgo) await backdateChat(stack, sent.chatId, daysAgo)
  const { json } = await api(who.client, `${stack.app.url}/api/chats/${sent.chatId}/messages`)
  const [question, answer] = json.messages as Array<{ role: string, createdAt: string }>
  expect(question!.role).toBe('user')
  expect(answer!.role).toBe('assistant')
  // The emulator counts words: the system prompt and the question in, the answer out.
  const tokens = failed ? 0 : words(SYSTEM_PROMPT) + words(text) + words(sent.text)
  seeded.push({ user: who.id, day: question!.createdAt.slice(0, 10), tokens, failed })
  // Both messages of a chat fall on one UTC day (the test does not run across midnight).
  expect(answer!.createdAt.slice(0, 10)).toBe(question!.createdAt.slice(0, 10))
  return sent.chatId
}

async function usage(days: number) {
  const response = await api(admin.client, `${stack.app.url}/api/admin/usage?days=${days}`)
  expect(response.status).toBe(200)
  return response.json
}

function utcDay(daysAgo: number) {
  const now = new Date()
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - daysAgo * 86_400_000).toISOString().slice(0, 10)
}

/** What the dashboard should say, computed from the seeded chats alone. */
function expected(days: number) {
  const first = utcDay(days - 1)
  const inPeriod = seeded.filter(s => s.day >= first)
  const daily = Array.from({ length: days }, (_, i) => {
    const day = utcDay(days - 1 - i)
    const on = inPeriod.filter(s => s.day === day)
    return {
      day,
      activeUsers: new Set(on.map(s => s.user)).size,
      messages: on.length,
      answers: on.length,
      tokens: on.reduce((n, s) => n + s.tokens, 0),
      failed: on.filter(s => s.failed).length,
    }
  })
  const byUser = new Map<string, { tokens: number, messages: number }>()
  for (const s of inPeriod) {
    const u = byUser.get(s.user) ?? { tokens: 0, messages: 0 }
    u.tokens += s.tokens
    u.messages++
    byUser.set(s.user, u)
  }
  const topUsers = [...byUser].map(([id, u]) => ({ id, ...u })).sort((a, b) => b.tokens - a.tokens || b.messages - a.messages)
  return {
    totals: {
      activeUsers: byUser.size,
      messages: inPeriod.length,
      answers: inPeriod.length,
      tokens: inPeriod.reduce((n, s) => n + s.tokens, 0),
      failed: inPeriod.filter(s => s.failed).length,
    },
    daily,
    topUsers,
  }
}

beforeAll(async () => {
  stack = await startStack({ env: { CHAT_SYSTEM_PROMPT: SYSTEM_PROMPT } })
  admin = await person(stack, accounts.adele)
  const megan = await person(stack, accounts.megan)
  const alex = await person(stack, accounts.alex)
  const lynne = await person(stack, accounts.lynne)
  await ask(megan, 'How many vacation days do I have left this year?')
  await ask(megan, 'Draft a short note to the team about Friday', 2)
  await ask(alex, 'Explain value at risk in two sentences')
  await ask(alex, 'This call fails [[emulator:401]]')
  await ask(alex, 'What changed in the credit policy?', 6)
  await ask(lynne, 'List the controls for payment approvals in detail please', 10)
  await ask(lynne, 'Anything from last quarter?', 45)
})
afterAll(async () => {
  await stack?.stop()
})

describe('the usage dashboard', () => {
  it.each([7, 30, 90])('matches the seeded chats over %i days', async (days) => {
    const report = await usage(days)
    const want = expected(days)
    expect(report.period.days).toBe(days)
    expect(report.period.from.slice(0, 10)).toBe(utcDay(days - 1))
    expect(report.daily.map((d: Record<string, unknown>) => ({ day: d.day, activeUsers: d.activeUsers, messages: d.messages, answers: d.answers, tokens: d.tokens, failed: d.failed })))
      .toEqual(want.daily)
    expect(report.totals).toEqual(want.totals)
    expect(report.topUsers.map((u: { id: string, tokens: number, messages: number }) => ({ id: u.id, tokens: u.tokens, messages: u.messages }))).toEqual(want.topUsers)
  })

  it('counts something in each bucket, so the comparison above means something', () => {
    const week = expected(7)
    expect(week.totals).toMatchObject({ activeUsers: 2, messages: 5, failed: 1 })
    expect(week.daily.filter(d => d.messages > 0)).toHaveLength(3)
    expect(expected(30).totals.activeUsers).toBe(3)
    expect(expected(90).totals.messages).toBe(7)
  })

  it('splits tokens into input and output and names why model calls failed', async () => {
    const report = await usage(7)
    for (const day of report.daily) expect(day.inputTokens + day.outputTokens).toBe(day.tokens)
    expect(report.failures).toHaveLength(1)
    expect(report.failures[0].count).toBe(1)
    expect(report.failures[0].reason).toMatch(/\w/)
    expect(report.topUsers[0]).toHaveProperty('name')
  })

  it('answers the same for an administrator\'s session as before: usage reads change nothing', async () => {
    expect(await usage(30)).toMatchObject({ totals: expected(30).totals })
  })
})

describe('usage is accounting', () => {
  async function usersRow(id: string) {
    const response = await api(admin.client, `${stack.app.url}/api/admin/users?limit=100`)
    expect(response.status).toBe(200)
    return (response.json.users as Array<{ id: string, messages: number, tokens: number }>).find(u => u.id === id)
  }

  it('keeps what a chat used after the chat is deleted', async () => {
    const me = await person(stack, accounts.megan)
    const chatId = await ask(me, 'Summarise the travel policy in three bullet points')
    const before = await usersRow(me.id)
    expect(await usage(7)).toMatchObject({ totals: expected(7).totals })

    const deleted = await call(stack, me.client, `/api/chats/${chatId}`, { method: 'DELETE' })
    expect(deleted.status).toBeLessThan(300)
    expect((await api(me.client, `${stack.app.url}/api/chats/${chatId}`)).status).toBe(404)

    // The seeded figures still include the deleted chat's question and answer.
    const report = await usage(7)
    expect(report.totals).toEqual(expected(7).totals)
    expect(report.topUsers.find((u: { id: string }) => u.id === me.id)).toMatchObject(expected(7).topUsers.find(u => u.id === me.id)!)
    expect(await usersRow(me.id)).toMatchObject({ messages: before!.messages, tokens: before!.tokens })
  })
})
