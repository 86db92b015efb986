import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditEntries, backdateChat, call, chatOnce, person, type Person } from '../support/admin'
import { seedAudit } from '../support/seed'
import { accounts, api, startStack, type Stack } from '../support/stack'

let stack: Stack
let admin: Person
let megan: Person
let alex: Person

beforeAll(async () => {
  stack = await startStack({ env: { MESSAGE_RETENTION_DAYS: '30', AUDIT_RETENTION_DAYS: '365' } })
  admin = await person(stack, accounts.adele)
  megan = await person(stack, accounts.megan)
  alex = await person(stack, accounts.alex)
})
afterAll(async () => {
  await stack?.stop()
})

async function chat(who: Person, daysAgo: number) {
  const { chatId, status } = await chatOnce(stack, who.client, `A question from ${daysAgo} days ago`)
  expect(status).toBe(200)
  if (daysAgo) await backdateChat(stack, chatId, daysAgo)
  return chatId
}

const exists = async (who: Person, chatId: string) => (await api(who.client, `${stack.app.url}/api/chats/${chatId}`)).status === 200
const seededLeft = async () => (await auditEntries(stack, admin.client)).filter(e => e.action as string === 'test_seed').map(e => Math.round((Date.now() - Date.parse(e.createdAt)) / 86_400_000))

describe('retention', () => {
  it('deletes exactly the chats and audit entries past their retention, and records the run', async () => {
    const expired = [await chat(megan, 31), await chat(alex, 45)]
    const kept = [await chat(megan, 29), await chat(megan, 0), await chat(alex, 1)]
    await seedAudit(stack, 3, 400)
    await seedAudit(stack, 2, 300)
    await seedAudit(stack, 1, 364)

    const run = await call(stack, admin.client, '/api/admin/retention/run', { method: 'POST' })
    expect(run.status).toBe(200)
    // Each chat holds the question and its answer.
    expect(run.json).toEqual({ messageRetentionDays: 30, auditRetentionDays: 365, chatsDeleted: 2, messagesDeleted: 4, auditEntriesDeleted: 3 })

    expect(await exists(megan, expired[0]!)).toBe(false)
    expect(await exists(alex, expired[1]!)).toBe(false)
    expect(await exists(megan, kept[0]!)).toBe(true)
    expect(await exists(megan, kept[1]!)).toBe(true)
    expect(await exists(alex, kept[2]!)).toBe(true)
    const left = await api(megan.client, `${stack.app.url}/api/chats/${kept[0]}/messages`)
    expect(left.json.messages).toHaveLength(2)
    expect((await seededLeft()).sort((a, b) => a - b)).toEqual([300, 300, 364])

    const [entry, ...others] = await auditEntries(stack, admin.client, { action: 'retention_run' })
    expect(others).toHaveLength(0)
    expect(entry).toMatchObject({ actorId: admin.id, outcome: 'success', details: run.json })
    // Recent entries (today's sign-ins) are untouched.
    expect((await auditEntries(stack, admin.client, { action: 'sign_in' })).length).toBeGreaterThanOrEqual(3)
  })

  it('deletes nothing more when run again', async () => {
    const run = await call(stack, admin.client, '/api/admin/retention/run', { method: 'POST' })
    expect(run.json).toMatchObject({ chatsDeleted: 0, messagesDeleted: 0, auditEntriesDeleted: 0 })
    expect(await auditEntries(stack, admin.client, { action: 'retention_run' })).toHaveLength(2)
  })

  it('deletes audit entries batch after batch until none expired is left', async () => {
    await seedAudit(stack, 2_500, 500)
    const run = await call(stack, admin.client, '/api/admin/retention/run', { method: 'POST' })
    expect(run.json.auditEntriesDeleted).toBe(2_500)
    expect(await seededLeft()).toHaveLength(3)
  })
})

describe('retention when nothing is configured', () => {
  let quiet: Stack
  beforeAll(async () => {
    quiet = await startStack()
  })
  afterAll(async () => {
    await quiet?.stop()
  })

  it('keeps everything', async () => {
    const boss = await person(quiet, accounts.adele)
    const user = await person(quiet, accounts.megan)
    const { chatId } = await chatOnce(quiet, user.client, 'Keep me')
    await backdateChat(quiet, chatId, 3000)
    await seedAudit(quiet, 5, 3000)
    const run = await call(quiet, boss.client, '/api/admin/retention/run', { method: 'POST' })
    expect(run.json).toEqual({ messageRetentionDays: null, auditRetentionDays: null, chatsDeleted: 0, messagesDeleted: 0, auditEntriesDeleted: 0 })
    expect((await api(user.client, `${quiet.app.url}/api/chats/${chatId}`)).status).toBe(200)
  })
})
