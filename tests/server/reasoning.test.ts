import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RecordedRequest } from '../../emulators/azure-openai/index.ts'
import { person, type Person } from '../support/admin'
import { followChat, sendChat, userMessage } from '../support/chat-client'
import { accounts, api, startStack, type Stack } from '../support/stack'

// A reasoning deployment: the effort is sent, the summary streamed first, stored with the answer,
// replayed, and never sent back to the model as history.
const DEPLOYMENTS = [
  { id: 'fast', label: 'Fast', deployment: 'gpt-4o-mini' },
  // A name the AI SDK cannot know for a reasoning model: Azure's deployment names are free.
  { id: 'think', label: 'Thinker', deployment: 'thinker', reasoning: { effort: 'high' } },
]

let stack: Stack
let megan: Person

async function emulatorLog(): Promise<RecordedRequest[]> {
  return (await fetch(`${stack.openai.url}/_emulator/requests`)).json()
}

beforeAll(async () => {
  stack = await startStack({
    openai: () => ({ deployments: ['gpt-4o-mini', { name: 'thinker', reasoning: true }] }),
    env: { AZURE_OPENAI_DEPLOYMENT: '', AZURE_OPENAI_DEPLOYMENTS: JSON.stringify(DEPLOYMENTS), CHAT_SYSTEM_PROMPT: 'Be brief.' },
  })
  megan = await person(stack, accounts.megan)
})
afterAll(() => stack?.stop())

describe('a reasoning model', () => {
  it('is marked as one in the list of models', async () => {
    const { json } = await api(megan.client, `${stack.app.url}/api/models`)
    expect(json.models).toContainEqual({ id: 'think', label: 'Thinker', reasoning: true })
  })

  it('streams its reasoning summary before the answer, stores it with its duration, and never sends it back', async () => {
    const chatId = randomUUID()
    const first = await sendChat(megan.client, stack.app.url, chatId, { message: userMessage('Why is the sky blue?'), model: 'think' })
    expect(first.status).toBe(200)
    const types = first.events.map(e => e.type as string)
    const reasoningStart = types.indexOf('reasoning-start')
    expect(reasoningStart).toBeGreaterThan(-1)
    expect(types.indexOf('reasoning-end')).toBeGreaterThan(reasoningStart)
    expect(types.indexOf('text-start')).toBeGreaterThan(types.indexOf('reasoning-end'))
    const reasoning = first.events.filter(e => e.type === 'reasoning-delta').map(e => e.delta).join('')
    expect(reasoning).toContain('The user asks: "Why is the sky blue?"')
    const end = first.events.find(e => e.type === 'reasoning-end') as { providerMetadata: { assistant: { durationMs: number } } }
    expect(end.providerMetadata.assistant.durationMs).toBeGreaterThanOrEqual(0)
    expect(first.text).toContain('You asked: "Why is the sky blue?"')

    // The effort and a summary were asked for, with no sampling parameter the model would refuse.
    const [call] = (await emulatorLog()).filter(r => r.lastUserText === 'Why is the sky blue?')
    expect(call).toMatchObject({ deployment: 'thinker', api: 'responses', status: 200, reasoning: { effort: 'high', summary: 'auto' } })

    const { json } = await api(megan.client, `${stack.app.url}/api/chats/${chatId}/messages`)
    const answer = json.messages[1] as { parts: Array<{ type: string, text: string, durationMs?: number }>, model: string }
    expect(answer.model).toBe('think')
    expect(answer.parts.map(p => p.type)).toEqual(['reasoning', 'text'])
    expect(answer.parts[0]!.text).toBe(reasoning)
    expect(answer.parts[0]!.durationMs).toBe(end.providerMetadata.assistant.durationMs)
    expect(answer.parts[1]!.text).toBe(first.text)

    // A re-send of the same question replays the stored answer, reasoning included.
    const replayed = await sendChat(megan.client, stack.app.url, chatId, { message: { ...userMessage('Why is the sky blue?'), id: json.messages[0].id }, model: 'think' })
    expect(replayed.events.filter(e => e.type === 'reasoning-delta').map(e => e.delta).join('')).toBe(reasoning)
    expect(replayed.text).toBe(first.text)

    // The next question carries the answer as history, not the reasoning.
    const second = await sendChat(megan.client, stack.app.url, chatId, { message: userMessage('And at sunset?'), model: 'think' })
    expect(second.status).toBe(200)
    const [next] = (await emulatorLog()).filter(r => r.lastUserText === 'And at sunset?')
    expect(next!.inputTexts).toEqual(['Be brief.', 'Why is the sky blue?', first.text, 'And at sunset?'])
    expect(next!.inputTexts.join('\n')).not.toContain('The user asks')
  })

  it('is followed from another page while it thinks: the summary so far, the rest live, then the text', async () => {
    const chatId = randomUUID()
    let following: ReturnType<typeof followChat> | undefined
    const asked = sendChat(megan.client, stack.app.url, chatId, { message: userMessage('Think slowly [[emulator:delay=60]]'), model: 'think' }, (event, events) => {
      // A second page opens once the first words of reasoning are shown.
      if (!following && event.type === 'reasoning-delta' && events.filter(e => e.type === 'reasoning-delta').length === 2) {
        following = followChat(megan.client, `${stack.app.url}/api/chats/${chatId}/stream`)
      }
    })
    const original = await asked
    const followed = await following!
    const reasoningOf = (events: Array<Record<string, unknown>>) => events.filter(e => e.type === 'reasoning-delta').map(e => e.delta).join('')
    expect(reasoningOf(original.events)).toContain('The user asks: "Think slowly"')
    expect(reasoningOf(followed.events)).toBe(reasoningOf(original.events))
    expect(followed.text).toBe(original.text)
    const types = followed.events.map(e => e.type as string)
    expect(types.indexOf('reasoning-end')).toBeLessThan(types.findIndex(t => t === 'text-delta'))
    const duration = (events: Array<Record<string, unknown>>) => (events.find(e => e.type === 'reasoning-end') as { providerMetadata?: { assistant: { durationMs: number } } }).providerMetadata?.assistant.durationMs
    expect(duration(followed.events)).toBe(duration(original.events))
  })

  it('answers a model without reasoning as before, with no reasoning parts', async () => {
    const chatId = randomUUID()
    const plain = await sendChat(megan.client, stack.app.url, chatId, { message: userMessage('Hello'), model: 'fast' })
    expect(plain.events.some(e => String(e.type).startsWith('reasoning'))).toBe(false)
    const [call] = (await emulatorLog()).filter(r => r.lastUserText === 'Hello')
    expect(call!.reasoning).toBeNull()
    const follow = await followChat(megan.client, `${stack.app.url}/api/chats/${chatId}/stream`)
    expect(follow.status).toBe(204)
  })
})
