import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HttpClient } from '../support/http-client'
import { deltas, followChat, sendChat } from '../support/chat-client'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

let stack: Stack
let megan: HttpClient
let alex: HttpClient

beforeAll(async () => {
  stack = await startStack()
  megan = (await signIn(stack.app, accounts.megan)).client
  alex = (await signIn(stack.app, accounts.alex)).client
})
afterAll(async () => {
  await stack?.stop()
})

function userMessage(text: string, id = randomUUID()) {
  return { id, role: 'user', parts: [{ type: 'text', text }] }
}

/** POSTs like useChat's DefaultChatTransport and reads the UI message stream to its end. */
async function send(client: HttpClient, chatId: string, body: Record<string, unknown>) {
  const response = await client.fetch(`${stack.app.url}/api/chats/${chatId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'origin': stack.app.url },
    body: JSON.stringify(body),
  })
  if (!response.headers.get('content-type')?.includes('text/event-stream')) {
    return { status: response.status, headers: response.headers, events: [], text: '', json: await response.json().catch(() => undefined) }
  }
  const events: Array<Record<string, unknown>> = []
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  let chunks = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks++
    buffer += value
    const lines = buffer.split('\n')
    buffer = lines.pop()!
    for (const line of lines) {
      if (line.startsWith('data: ') && line !== 'data: [DONE]') events.push(JSON.parse(line.slice(6)))
    }
  }
  const text = events.filter(e => e.type === 'text-delta').map(e => e.delta).join('')
  return { status: response.status, headers: response.headers, events, text, chunks, json: undefined }
}

async function emulatorRequests() {
  return (await fetch(`${stack.openai.url}/_emulator/requests`).then(r => r.json())) as Array<{ lastUserText: string, aborted: boolean }>
}

describe('chat', () => {
  it('streams an answer in several chunks and stores both messages', async () => {
    const chatId = randomUUID()
    const message = userMessage('Explain our code review policy with some code')
    const result = await send(megan, chatId, { message })
    expect(result.status).toBe(200)
    expect(result.events.filter(e => e.type === 'text-delta').length).toBeGreaterThan(3)
    expect(result.text).toContain('```ts')
    const assistantId = result.events.find(e => e.type === 'start')?.messageId
    const page = await api(megan, `${stack.app.url}/api/chats/${chatId}/messages`)
    expect(page.status).toBe(200)
    expect(page.json.messages.map((m: { id: string }) => m.id)).toEqual([message.id, assistantId])
    expect(page.json.messages[1]).toMatchObject({ role: 'assistant', status: 'complete' })
    expect(page.json.messages[1].parts[0].text).toBe(result.text)
    const chat = await api(megan, `${stack.app.url}/api/chats/${chatId}`)
    expect(chat.json.title).toBe('Explain our code review policy with some code')
    expect(chat.json).not.toHaveProperty('userId')
  })

  it('stores one message and calls the model once when the same id is sent twice', async () => {
    const chatId = randomUUID()
    const message = userMessage(`Idempotency check ${randomUUID()}`)
    const first = await send(megan, chatId, { message })
    const second = await send(megan, chatId, { message })
    expect(second.status).toBe(200)
    expect(second.text).toBe(first.text)
    // The stored answer, replayed in the live stream's format under the same message id.
    expect(second.events.find(e => e.type === 'start')?.messageId).toBe(first.events.find(e => e.type === 'start')?.messageId)
    expect(second.events.find(e => e.type === 'finish')?.messageMetadata).toMatchObject({ status: 'complete', replayed: true })
    const calls = (await emulatorRequests()).filter(r => r.lastUserText === message.parts[0]!.text)
    expect(calls).toHaveLength(1)
    const page = await api(megan, `${stack.app.url}/api/chats/${chatId}/messages`)
    expect(page.json.messages).toHaveLength(2)
  })

  it('lets a second connection follow an answer mid-way, and a re-send of the question follows it too', async () => {
    const chatId = randomUUID()
    const message = userMessage(`Follow me [[emulator:delay=15]] ${randomUUID()}`)
    let followers: Array<ReturnType<typeof followChat>> = []
    const original = await sendChat(megan, stack.app.url, chatId, { message }, (_, events) => {
      if (deltas(events) === 4) followers = [followChat(megan, `${stack.app.url}/api/chats/${chatId}/stream`), sendChat(megan, stack.app.url, chatId, { message })]
    })
    const [followed, resent] = await Promise.all(followers)
    for (const other of [followed!, resent!]) {
      expect(other.status).toBe(200)
      expect(other.text).toBe(original.text)
      expect(other.events.at(-1)).toMatchObject({ type: 'finish', messageMetadata: { status: 'complete' } })
    }
    expect((await emulatorRequests()).filter(r => r.lastUserText === message.parts[0]!.text)).toHaveLength(1)
    // Once it is written, there is nothing to follow.
    expect((await followChat(megan, `${stack.app.url}/api/chats/${chatId}/stream`)).status).toBe(204)
    expect((await followChat(alex, `${stack.app.url}/api/chats/${chatId}/stream`)).status).toBe(404)
  })

  it('answers an edit of a message that was never stored (Retry after a network error) as a new message, also in a new chat', async () => {
    const chatId = randomUUID()
    const message = userMessage(`Never arrived ${randomUUID()}`)
    const result = await send(megan, chatId, { message, messageId: message.id })
    expect(result.status).toBe(200)
    expect(result.text).toContain('You asked')
    const page = await api(megan, `${stack.app.url}/api/chats/${chatId}/messages`)
    expect(page.json.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant'])
    // In someone else's chat it is a 404, like any other request about that chat.
    expect((await send(alex, chatId, { message: userMessage('Mine now?'), messageId: message.id })).status).toBe(404)
    expect((await send(alex, chatId, { message, trigger: 'regenerate-message' })).status).toBe(404)
  })

  it('regenerates the last answer, replacing it', async () => {
    const chatId = randomUUID()
    const message = userMessage(`Tell me about holidays ${randomUUID()}`)
    const first = await send(megan, chatId, { message })
    const firstId = first.events.find(e => e.type === 'start')?.messageId
    const again = await send(megan, chatId, { message, trigger: 'regenerate-message', messageId: firstId })
    expect(again.status).toBe(200)
    expect(again.text).toContain('You asked')
    const page = await api(megan, `${stack.app.url}/api/chats/${chatId}/messages`)
    expect(page.json.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant'])
    // Asked twice: the regenerate really called the model again instead of replaying.
    expect((await emulatorRequests()).filter(r => r.lastUserText === message.parts[0]!.text)).toHaveLength(2)
  })

  it('edits an earlier message: later messages are dropped and it is answered again', async () => {
    const chatId = randomUUID()
    const first = userMessage('First question')
    await send(megan, chatId, { message: first })
    await send(megan, chatId, { message: userMessage('Second question') })
    const edited = { ...first, parts: [{ type: 'text', text: 'First question, edited' }] }
    const result = await send(megan, chatId, { message: edited, messageId: first.id })
    expect(result.text).toContain('First question, edited')
    const page = await api(megan, `${stack.app.url}/api/chats/${chatId}/messages`)
    expect(page.json.messages).toHaveLength(2)
    expect(page.json.messages[0].parts[0].text).toBe('First question, edited')
  })

  it.each([
    ['a missing message', {}, 'message'],
    ['a malformed message id', { message: { ...userMessage('x'), id: 'not-a-uuid' } }, 'message.id'],
    ['an unknown role', { message: { ...userMessage('x'), role: 'system' } }, 'message.role'],
    ['a wrong type for the text', { message: { ...userMessage('x'), parts: [{ type: 'text', text: 42 }] } }, 'message.parts.0.text'],
    ['an empty message', { message: userMessage('   ') }, 'message.parts'],
    ['an oversized message', { message: userMessage('x'.repeat(16_001)) }, 'message.parts'],
  ])('answers 400 naming the field for %s', async (_, body, field) => {
    const result = await send(megan, randomUUID(), body)
    expect(result.status).toBe(400)
    expect(`${result.json.message} ${result.json.data?.field}`).toContain(field)
  })

  it('names the limit when a message is too long', async () => {
    const result = await send(megan, randomUUID(), { message: userMessage('x'.repeat(16_001)) })
    expect(result.json.message).toBe('Your message is too long: the limit is 16,000 characters.')
  })

  describe('another user\'s chat is 404 on every route', () => {
    let chatId: string
    beforeAll(async () => {
      chatId = randomUUID()
      await send(megan, chatId, { message: userMessage('Private to Megan') })
    })
    it.each([
      ['GET', ''],
      ['GET', '/messages'],
      ['PATCH', ''],
      ['DELETE', ''],
      ['POST', '/stop'],
      ['POST', '/messages'],
    ])('%s /api/chats/:id%s', async (method, suffix) => {
      const json = method === 'PATCH' ? { title: 'Mine now' } : suffix === '/messages' && method === 'POST' ? { message: userMessage('hijack') } : undefined
      const result = await api(alex, `${stack.app.url}/api/chats/${chatId}${suffix}`, { method, json, headers: { origin: stack.app.url } })
      expect(result.status).toBe(404)
      expect(result.text).not.toContain('Private to Megan')
    })
  })

  it('lists my chats newest first, page by page, each exactly once while new ones are added', async () => {
    const client = (await signIn(stack.app, accounts.lynne)).client
    const created: string[] = []
    for (let i = 0; i < 5; i++) {
      const id = randomUUID()
      await send(client, id, { message: userMessage(`Chat number ${i}`) })
      created.push(id)
    }
    const seen: string[] = []
    let cursor: string | null = null
    let added = false
    do {
      const page = await api(client, `${stack.app.url}/api/chats?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      seen.push(...(page.json.chats as Array<{ id: string }>).map(c => c.id))
      cursor = page.json.nextCursor
      if (!added) {
        added = true
        await send(client, randomUUID(), { message: userMessage('Added while paging') })
      }
    } while (cursor)
    expect(seen).toEqual([...created].reverse())
    const search = await api(client, `${stack.app.url}/api/chats?q=number%203`)
    expect(search.json.chats.map((c: { id: string }) => c.id)).toEqual([created[3]])
  })

  it('pages through a chat\'s messages newest first, each exactly once while new ones are added', async () => {
    const chatId = randomUUID()
    for (let i = 0; i < 4; i++) await send(megan, chatId, { message: userMessage(`Question ${i}`) })
    const before = (await api(megan, `${stack.app.url}/api/chats/${chatId}/messages?limit=100`)).json.messages.map((m: { id: string }) => m.id)
    expect(before).toHaveLength(8)
    const pages: string[][] = []
    let cursor: string | null = null
    do {
      const page = await api(megan, `${stack.app.url}/api/chats/${chatId}/messages?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      pages.push(page.json.messages.map((m: { id: string }) => m.id))
      cursor = page.json.nextCursor
      if (pages.length === 1) await send(megan, chatId, { message: userMessage('Added while paging') })
    } while (cursor)
    // Newest page first, each page in reading order: reversing the pages gives the conversation.
    expect(pages.reverse().flat()).toEqual(before)
  })

  it('renames and deletes a chat', async () => {
    const chatId = randomUUID()
    await send(megan, chatId, { message: userMessage('To be renamed') })
    const renamed = await api(megan, `${stack.app.url}/api/chats/${chatId}`, { method: 'PATCH', json: { title: 'Renamed' }, headers: { origin: stack.app.url } })
    expect(renamed.json.title).toBe('Renamed')
    const deleted = await api(megan, `${stack.app.url}/api/chats/${chatId}`, { method: 'DELETE', headers: { origin: stack.app.url } })
    expect(deleted.status).toBe(204)
    expect((await api(megan, `${stack.app.url}/api/chats/${chatId}/messages`)).status).toBe(404)
  })
})
