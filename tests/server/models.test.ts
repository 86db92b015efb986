import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RecordedRequest } from '../../emulators/azure-openai/index.ts'
import { person, type Person } from '../support/admin'
import { sendChat, userMessage } from '../support/chat-client'
import { accounts, api, startStack, type Stack } from '../support/stack'

// Several deployments behind one app: each reached with its own API and key, picked per message,
// remembered per chat, counted per model and weighted against the quota.
const EAST_KEY = 'east-resource-key'
const DEPLOYMENTS = [
  { id: 'fast', label: 'Fast', deployment: 'gpt-4o-mini' },
  // On "another resource": the Chat Completions API and a key of its own, named by a setting.
  { id: 'large', label: 'Large', deployment: 'gpt-4.1', api: 'chat', apiKeySetting: 'EAST_OPENAI_KEY' },
  // The same deployment counted 50 times over: the quota test needs a heavy model.
  { id: 'heavy', label: 'Heavy', deployment: 'gpt-4o-mini', costWeight: 50 },
]

let stack: Stack
let megan: Person
let admin: Person

async function emulatorLog(): Promise<RecordedRequest[]> {
  return (await fetch(`${stack.openai.url}/_emulator/requests`)).json()
}

function send(who: Person, chatId: string, text: string, model?: string) {
  return sendChat(who.client, stack.app.url, chatId, { message: userMessage(text), ...(model ? { model } : {}) })
}

beforeAll(async () => {
  stack = await startStack({
    openai: () => ({ deployments: ['gpt-4o-mini', { name: 'gpt-4.1', apiKey: EAST_KEY }] }),
    env: {
      AZURE_OPENAI_DEPLOYMENT: '',
      AZURE_OPENAI_DEPLOYMENTS: JSON.stringify(DEPLOYMENTS),
      EAST_OPENAI_KEY: EAST_KEY,
      CHAT_SYSTEM_PROMPT: 'Be brief.',
      DAILY_TOKEN_QUOTA: '2000',
    },
  })
  megan = await person(stack, accounts.megan)
  admin = await person(stack, accounts.adele)
})
afterAll(() => stack?.stop())

describe('several deployments', () => {
  it('lists the models to pick, without their deployments, endpoints or keys', async () => {
    const { status, json, text } = await api(megan.client, `${stack.app.url}/api/models`)
    expect(status).toBe(200)
    expect(json).toEqual({
      default: 'fast',
      models: [
        { id: 'fast', label: 'Fast', reasoning: false },
        { id: 'large', label: 'Large', reasoning: false },
        { id: 'heavy', label: 'Heavy', reasoning: false },
      ],
    })
    expect(text).not.toContain('gpt-4')
  })

  it('reaches each deployment with its own API and key, keeps one history across models, and remembers the chat\'s model', async () => {
    const chatId = randomUUID()
    const first = await send(megan, chatId, 'Where is the travel policy?', 'fast')
    expect(first.status).toBe(200)
    expect(first.text).toContain('Answered by the `gpt-4o-mini` deployment.')

    const second = await send(megan, chatId, 'And the expense limits?', 'large')
    expect(second.status).toBe(200)
    expect(second.text).toContain('Answered by the `gpt-4.1` deployment.')

    // No model given: the chat's own, the one picked last.
    const third = await send(megan, chatId, 'Thanks')
    expect(third.text).toContain('Answered by the `gpt-4.1` deployment.')

    const calls = (await emulatorLog()).filter(r => r.inputTexts.includes('Where is the travel policy?'))
    expect(calls.map(r => [r.deployment, r.api, r.auth, r.status])).toEqual([
      ['gpt-4o-mini', 'responses', 'api-key', 200],
      // gpt-4.1 refuses the shared key: a 200 means the app sent the east key.
      ['gpt-4.1', 'chat.completions', 'api-key', 200],
      ['gpt-4.1', 'chat.completions', 'api-key', 200],
    ])
    // The large model was handed the conversation the fast one had: one history.
    expect(calls[1]!.inputTexts).toEqual(['Be brief.', 'Where is the travel policy?', first.text, 'And the expense limits?'])

    const chat = await api(megan.client, `${stack.app.url}/api/chats/${chatId}`)
    expect(chat.json.model).toBe('large')
    const { json } = await api(megan.client, `${stack.app.url}/api/chats/${chatId}/messages`)
    expect(json.messages.map((m: { role: string, model: string | null }) => [m.role, m.model])).toEqual([
      ['user', null], ['assistant', 'fast'], ['user', null], ['assistant', 'large'], ['user', null], ['assistant', 'large'],
    ])
  })

  it('refuses a model that is not offered, with a sentence', async () => {
    const refused = await send(megan, randomUUID(), 'Hello', 'gpt-4.1')
    expect(refused.status).toBe(400)
    expect(refused.json.message).toBe('The model "gpt-4.1" is not available; pick one of the models offered.')
  })

  it('splits the usage by model on the admin API', async () => {
    const { status, json } = await api(admin.client, `${stack.app.url}/api/admin/usage?days=7`)
    expect(status).toBe(200)
    const byModel = json.byModel as Array<{ model: string, label: string, answers: number, tokens: number, inputTokens: number, outputTokens: number }>
    expect(byModel.map(m => [m.model, m.label, m.answers]).sort()).toEqual([['fast', 'Fast', 1], ['large', 'Large', 2]])
    for (const m of byModel) expect(m.tokens).toBe(m.inputTokens + m.outputTokens)
    expect(byModel.reduce((n, m) => n + m.tokens, 0)).toBe(json.totals.tokens)
  })

  it('counts a weighted model\'s tokens that many times against the daily quota', async () => {
    const alex = await person(stack, accounts.alex)
    // About 80 tokens: far under the quota of 2000 once, over it fifty times.
    const first = await send(alex, randomUUID(), 'Summarise the leave policy', 'heavy')
    expect(first.status).toBe(200)
    const [call] = (await emulatorLog()).filter(r => r.lastUserText === 'Summarise the leave policy')
    const words = (t: string) => t.split(/\s+/).filter(Boolean).length
    const tokens = call!.inputTexts.reduce((n, t) => n + words(t), 0) + words(first.text)
    expect(tokens).toBeLessThan(2000)
    expect(tokens * 50).toBeGreaterThanOrEqual(2000)
    const second = await send(alex, randomUUID(), 'One more', 'fast')
    expect(second.status).toBe(429)
    expect(second.json.message).toBe('You have used today\'s allowance of 2,000 tokens. It renews at midnight UTC.')
  })
})
