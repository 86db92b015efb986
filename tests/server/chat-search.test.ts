import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HttpClient } from '../support/http-client'
import { sendChat, userMessage } from '../support/chat-client'
import { createTestDatabase } from '../support/database'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

interface Found { id: string, title: string, snippet?: Array<{ text: string, match: boolean }> | null }

// The sidebar's search, on both databases the app runs on: it must find what was said in a chat,
// not only its title (the emulator answers a question about a "table" with a Markdown table).
describe.each(['pglite', 'postgres'] as const)('searching chats on %s', (kind) => {
  let stack: Stack
  let megan: HttpClient
  let alex: HttpClient
  const ids: Record<string, string> = {}

  async function say(client: HttpClient, name: string, text: string) {
    ids[name] ??= randomUUID()
    const result = await sendChat(client, stack.app.url, ids[name]!, { message: userMessage(text) })
    expect(result.status).toBe(200)
  }

  async function search(client: HttpClient, q: string, extra = ''): Promise<{ chats: Found[], nextCursor: string | null }> {
    const response = await api(client, `${stack.app.url}/api/chats?q=${encodeURIComponent(q)}${extra}`)
    expect(response.status).toBe(200)
    return response.json as { chats: Found[], nextCursor: string | null }
  }

  beforeAll(async () => {
    stack = await startStack({ db: await createTestDatabase({ kind }) })
    megan = (await signIn(stack.app, accounts.megan)).client
    alex = (await signIn(stack.app, accounts.alex)).client
    await say(megan, 'floors', 'Which teams sit on which office floor?')
    await say(megan, 'floors', 'Now show it as a table please')
    await say(megan, 'lunch', 'Lunch options near the office')
    await say(megan, 'desks', 'How do I book a desk for Friday?')
    await say(megan, 'desks', 'Put the booking steps in a table')
    await say(megan, 'rooms', 'Meeting rooms with a screen')
    await say(megan, 'rooms', 'A table of their sizes, please')
    await say(alex, 'theirs', 'A table of the holiday rota')
  }, 180_000)
  afterAll(async () => {
    await stack?.stop()
  })

  it('finds chats by what their messages say, newest first, with the matching words', async () => {
    const { chats } = await search(megan, 'table')
    expect(chats.map(c => c.id)).toEqual([ids.rooms, ids.desks, ids.floors])
    const floors = chats.find(c => c.id === ids.floors)!
    expect(floors.title).not.toMatch(/table/i)
    const matched = floors.snippet!.filter(p => p.match).map(p => p.text.toLowerCase())
    expect(matched.length).toBeGreaterThan(0)
    for (const word of matched) expect(word).toMatch(/^tabl/)
    expect(floors.snippet!.map(p => p.text).join('')).toMatch(/table/i)
  })

  it('matches word forms and the start of the last word, as the user types', async () => {
    expect((await search(megan, 'tables')).chats.map(c => c.id)).toEqual([ids.rooms, ids.desks, ids.floors])
    expect((await search(megan, 'booking ste')).chats.map(c => c.id)).toEqual([ids.desks])
    const lunch = (await search(megan, 'lunch')).chats
    expect(lunch.map(c => c.id)).toEqual([ids.lunch])
    // Found by its title: no snippet repeating it.
    expect(lunch[0]!.snippet).toBeNull()
    expect((await search(megan, 'holiday rota')).chats).toEqual([])
  })

  it('pages through the results by keyset, each chat once', async () => {
    const first = await search(megan, 'table', '&limit=2')
    expect(first.chats.map(c => c.id)).toEqual([ids.rooms, ids.desks])
    expect(first.nextCursor).toBeTruthy()
    const second = await search(megan, 'table', `&limit=2&cursor=${first.nextCursor}`)
    expect(second.chats.map(c => c.id)).toEqual([ids.floors])
    expect(second.nextCursor).toBeNull()
  })

  it('takes anything typed as words, never as query syntax', async () => {
    for (const q of ['table & !', '\'):* | (', '<-> !!', '%_\\']) expect((await search(megan, q)).chats.every(c => typeof c.id === 'string')).toBe(true)
    expect((await search(megan, '!!! table ???')).chats.map(c => c.id)).toEqual([ids.rooms, ids.desks, ids.floors])
  })
})
