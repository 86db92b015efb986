import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RecordedRequest } from '../../emulators/azure-openai/index.ts'
import { auditEntries, call, person, type Person } from '../support/admin'
import { sendChat, userMessage } from '../support/chat-client'
import { accounts, api, startStack, type Stack } from '../support/stack'

// Assistants: company-wide ones that admins publish (audited), personal ones anyone makes, a chat
// that remembers its assistant and the prompt version it was answered with.
let stack: Stack
let admin: Person
let megan: Person
let alex: Person

const POLICY_PROMPT = 'You answer questions about the company policy handbook.'

async function promptOf(question: string): Promise<string | undefined> {
  const log: RecordedRequest[] = await (await fetch(`${stack.openai.url}/_emulator/requests`)).json()
  return log.filter(r => r.lastUserText === question).at(-1)?.inputTexts[0]
}

beforeAll(async () => {
  stack = await startStack({ env: { CHAT_SYSTEM_PROMPT: 'Be brief.' } })
  admin = await person(stack, accounts.adele)
  megan = await person(stack, accounts.megan)
  alex = await person(stack, accounts.alex)
})
afterAll(() => stack?.stop())

describe('company assistants', () => {
  let policyId: string

  it('are made by admins unpublished, invisible to staff until published, and audited', async () => {
    const created = await call(stack, admin.client, '/api/admin/assistants', {
      method: 'POST',
      json: { name: 'Policy helper', description: 'Answers from the handbook', icon: 'i-lucide-book-open', systemPrompt: POLICY_PROMPT, starterPrompts: ['How many vacation days do I have?'] },
    })
    expect(created.status).toBe(201)
    policyId = created.json.id
    expect(created.json).toMatchObject({ name: 'Policy helper', published: false, version: 1, systemPrompt: POLICY_PROMPT })

    expect((await api(megan.client, `${stack.app.url}/api/assistants/${policyId}`)).status).toBe(404)
    expect((await api(megan.client, `${stack.app.url}/api/assistants`)).json.assistants).toEqual([])
    const refused = await sendChat(megan.client, stack.app.url, randomUUID(), { message: userMessage('Hi'), assistantId: policyId })
    expect(refused.status).toBe(404)
    expect(refused.json.message).toBe('Assistant not found')
    // Staff cannot use the admin routes.
    expect((await call(stack, megan.client, '/api/admin/assistants', { method: 'POST', json: { name: 'x', systemPrompt: 'y' } })).status).toBe(403)

    const published = await call(stack, admin.client, `/api/admin/assistants/${policyId}`, { method: 'PATCH', json: { published: true } })
    expect(published.status).toBe(200)
    expect(published.json.published).toBe(true)

    const { json } = await api(megan.client, `${stack.app.url}/api/assistants`)
    expect(json.assistants).toEqual([{
      id: policyId, name: 'Policy helper', description: 'Answers from the handbook', icon: 'i-lucide-book-open',
      starterPrompts: ['How many vacation days do I have?'], defaultModel: null, personal: false,
    }])
    const one = await api(megan.client, `${stack.app.url}/api/assistants/${policyId}`)
    expect(one.status).toBe(200)
    expect(one.json.systemPrompt).toBeUndefined()
    expect(one.text).not.toContain(POLICY_PROMPT)

    const audit = await auditEntries(stack, admin.client, { action: 'assistant_created' })
    expect(audit.map(e => [e.actorId, e.targetType, e.targetId])).toEqual([[admin.id, 'assistant', policyId]])
    const changes = await auditEntries(stack, admin.client, { action: 'assistant_changed' })
    expect(changes[0]).toMatchObject({ actorId: admin.id, targetId: policyId, details: { published: true, version: 1 } })
    // The prompt's text is not the audit log's business.
    expect(JSON.stringify([...audit, ...changes])).not.toContain(POLICY_PROMPT)
  })

  it('answer a chat with their prompt; a later prompt change leaves old chats with the prompt they had', async () => {
    const chatId = randomUUID()
    const first = await sendChat(megan.client, stack.app.url, chatId, { message: userMessage('How many vacation days do I have?'), assistantId: policyId })
    expect(first.status).toBe(200)
    expect(await promptOf('How many vacation days do I have?')).toBe(POLICY_PROMPT)
    const chat = await api(megan.client, `${stack.app.url}/api/chats/${chatId}`)
    expect(chat.json.assistant).toEqual({ id: policyId, name: 'Policy helper', icon: 'i-lucide-book-open' })

    const changed = await call(stack, admin.client, `/api/admin/assistants/${policyId}`, { method: 'PATCH', json: { systemPrompt: 'Answer in French.' } })
    expect(changed.json.version).toBe(2)

    // The old chat: its next question still goes with the prompt it was begun with.
    const sick = userMessage('And sick days?')
    await sendChat(megan.client, stack.app.url, chatId, { message: sick })
    expect(await promptOf('And sick days?')).toBe(POLICY_PROMPT)
    // So does a regenerated answer (the prompt is read for the chat, not from the request).
    const again = await sendChat(megan.client, stack.app.url, chatId, { message: sick, trigger: 'regenerate-message' })
    expect(again.status).toBe(200)
    const calls = (await (await fetch(`${stack.openai.url}/_emulator/requests`)).json() as RecordedRequest[]).filter(r => r.lastUserText === 'And sick days?')
    expect(calls.map(r => r.inputTexts[0])).toEqual([POLICY_PROMPT, POLICY_PROMPT])
    // A new chat gets the new version.
    await sendChat(megan.client, stack.app.url, randomUUID(), { message: userMessage('Bonjour?'), assistantId: policyId })
    expect(await promptOf('Bonjour?')).toBe('Answer in French.')
    // A chat without an assistant keeps the server's prompt.
    await sendChat(megan.client, stack.app.url, randomUUID(), { message: userMessage('Plain question') })
    expect(await promptOf('Plain question')).toBe('Be brief.')
  })
})

describe('personal assistants', () => {
  it('are their owner\'s alone: someone else, admins included, gets 404 and never the prompt', async () => {
    const created = await call(stack, megan.client, '/api/assistants', {
      method: 'POST',
      json: { name: 'Email drafter', systemPrompt: 'Draft short, friendly emails.', starterPrompts: ['Draft a thank-you note'] },
    })
    expect(created.status).toBe(201)
    const id = created.json.id as string
    const mine = await api(megan.client, `${stack.app.url}/api/assistants/${id}`)
    expect(mine.json).toMatchObject({ name: 'Email drafter', personal: true, systemPrompt: 'Draft short, friendly emails.' })
    expect((await api(megan.client, `${stack.app.url}/api/assistants`)).json.assistants.map((a: { name: string }) => a.name)).toEqual(['Policy helper', 'Email drafter'])

    for (const other of [alex, admin]) {
      const seen = await api(other.client, `${stack.app.url}/api/assistants/${id}`)
      expect(seen.status).toBe(404)
      expect(seen.text).not.toContain('Draft short')
      expect((await api(other.client, `${stack.app.url}/api/assistants`)).json.assistants.map((a: { name: string }) => a.name)).toEqual(['Policy helper'])
      const used = await sendChat(other.client, stack.app.url, randomUUID(), { message: userMessage('Hi'), assistantId: id })
      expect(used.status).toBe(404)
      expect((await call(stack, other.client, `/api/assistants/${id}`, { method: 'PATCH', json: { name: 'Mine now' } })).status).toBe(404)
    }

    await sendChat(megan.client, stack.app.url, randomUUID(), { message: userMessage('Draft a thank-you note'), assistantId: id })
    expect(await promptOf('Draft a thank-you note')).toBe('Draft short, friendly emails.')
  })

  it('refuses an assistant without a name or a prompt, with a sentence', async () => {
    const refused = await call(stack, megan.client, '/api/assistants', { method: 'POST', json: { name: ' ', systemPrompt: '' } })
    expect(refused.status).toBe(400)
    expect(refused.json.message).toContain('name')
  })
})
