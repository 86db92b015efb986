import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HttpClient } from '../support/http-client'
import { sendChat, userMessage } from '../support/chat-client'
import { createTestDatabase } from '../support/database'
import { groups } from '../../emulators/entra/accounts.ts'
import { uploadDocument, waitUntilProcessed as processed } from '../support/documents'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures', name))
const MARKDOWN = '# Expense Guide\n\nMeals during business trips are reimbursed up to forty euros a day.\n\n## Taxis\n\nTaxis are allowed after ten in the evening.\n'
const HTML = '<!doctype html><html><body><h1>Security Rules</h1><p>Laptops must be locked with a cable in open offices.</p></body></html>'

interface Document { id: string, name: string, status: string, error: string | null, pages: number | null, chunks: number, scope: string, chatId: string | null, mediaType: string }

// Upload, ingestion through the emulator's embeddings, listing and removal over HTTP, on both
// databases the app runs on. One document of each accepted type; nothing is stored for a refused one.
describe.each(['pglite', 'postgres'] as const)('company documents on %s', (kind) => {
  let stack: Stack
  let megan: HttpClient
  let alex: HttpClient
  const meganChat = randomUUID()
  const alexChat = randomUUID()
  const uploaded: Record<string, Document> = {}

  const upload = (client: HttpClient, name: string, bytes: Uint8Array | string, fields: Record<string, string> = {}) => uploadDocument(stack.app, client, name, bytes, fields)
  const waitUntilProcessed = (client: HttpClient, id: string) => processed(stack.app, client, id)

  const myDocuments = async (client: HttpClient) => ((await api(client, `${stack.app.url}/api/documents`)).json.documents as Document[])

  beforeAll(async () => {
    stack = await startStack({ db: await createTestDatabase({ kind }), env: { DOCUMENT_MAX_MB: '1', DOCUMENT_MAX_PAGES: '3' } })
    megan = (await signIn(stack.app, accounts.megan)).client
    alex = (await signIn(stack.app, accounts.alex)).client
    expect((await sendChat(megan, stack.app.url, meganChat, { message: userMessage('Hello') })).status).toBe(200)
    expect((await sendChat(alex, stack.app.url, alexChat, { message: userMessage('Hello') })).status).toBe(200)
  }, 180_000)
  afterAll(async () => {
    await stack?.stop()
  })

  it.each([
    ['travel-policy.pdf', fixture('travel-policy.pdf'), {}, 'application/pdf', 2],
    ['staff-handbook.docx', fixture('staff-handbook.docx'), {}, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', null],
    ['expenses.md', MARKDOWN, { scope: 'chat', chatId: meganChat }, 'text/markdown', null],
    ['security.html', HTML, { scope: 'me' }, 'text/html', null],
  ] as Array<[string, Uint8Array | string, Record<string, string>, string, number | null]>)('takes %s, answers 202 at once and reaches ready with its chunks', async (name, bytes, fields, mediaType, pages) => {
    const response = await upload(megan, name, bytes, fields)
    expect(response.status, response.text).toBe(202)
    expect(response.json).toMatchObject({ name, mediaType, scope: (fields as { scope?: string }).scope ?? 'me' })
    expect(['queued', 'extracting', 'indexing', 'ready']).toContain(response.json.status)
    const done = await waitUntilProcessed(megan, response.json.id)
    expect(done).toMatchObject({ status: 'ready', error: null, pages })
    expect(done.chunks).toBeGreaterThan(0)
    uploaded[name] = done
  })

  it('waits out a 429 from the embedding service, honouring its Retry-After, and still gets ready', async () => {
    const response = await upload(megan, 'busy.txt', 'Parking spaces are assigned by the facilities team. [[emulator:429-once]]')
    expect(response.status).toBe(202)
    const done = await waitUntilProcessed(megan, response.json.id)
    expect(done.status).toBe('ready')
    const calls = (await (await fetch(`${stack.openai.url}/_emulator/requests`)).json() as Array<{ path: string, status: number, startedAt: number, inputTexts: string[] }>)
      .filter(r => r.path.endsWith('/embeddings') && r.inputTexts.some(t => t.includes('Parking')))
    expect(calls.map(c => c.status)).toEqual([429, 200])
    // The emulator asks for 1.2 s (retry-after-ms), as Azure does.
    expect(calls[1]!.startedAt - calls[0]!.startedAt).toBeGreaterThanOrEqual(1100)
    expect((await api(megan, `${stack.app.url}/api/documents/${response.json.id}`, { method: 'DELETE', headers: { origin: stack.app.url } })).status).toBe(204)
  })

  it('lists a user\'s documents and their chat\'s attachments, and only to them', async () => {
    const listed = await myDocuments(megan) as Array<Document & { createdAt: string, updatedAt: string }>
    expect(listed.map(d => d.name).sort()).toEqual(['expenses.md', 'security.html', 'staff-handbook.docx', 'travel-policy.pdf'])
    // The same ISO 8601 instants from either database.
    for (const d of listed) expect([d.createdAt, d.updatedAt]).toEqual([new Date(d.createdAt).toISOString(), new Date(d.updatedAt).toISOString()])
    expect((await api(megan, `${stack.app.url}/api/documents?chatId=${meganChat}`)).json.documents.map((d: Document) => d.name)).toEqual(['expenses.md'])
    expect(await myDocuments(alex)).toEqual([])
    const pdf = uploaded['travel-policy.pdf']!
    expect((await api(alex, `${stack.app.url}/api/documents/${pdf.id}`)).status).toBe(404)
    expect((await api(alex, `${stack.app.url}/api/documents/${pdf.id}`, { method: 'DELETE', headers: { origin: stack.app.url } })).status).toBe(404)
  })

  it('attaches to the uploader\'s own chats and groups only (404 otherwise)', async () => {
    const theirs = await upload(megan, 'notes.md', MARKDOWN, { scope: 'chat', chatId: alexChat })
    expect(theirs.status).toBe(404)
    expect(theirs.json.message).toBe('Chat not found')
    expect((await upload(megan, 'notes.md', MARKDOWN, { scope: 'group', groupId: 'a-group-megan-is-not-in' })).status).toBe(404)
    const invalid = await upload(megan, 'notes.md', MARKDOWN, { scope: 'everyone' })
    expect(invalid.status).toBe(400)
    expect(invalid.json.message).toMatch(/^Invalid scope/)
  })

  it('begins a new chat with a file attached before its first message, which then names the chat', async () => {
    const chatId = randomUUID()
    const attached = await upload(megan, 'expenses.md', MARKDOWN, { scope: 'chat', chatId })
    expect(attached.status, attached.text).toBe(202)
    const begun = await api(megan, `${stack.app.url}/api/chats/${chatId}`)
    expect(begun.status).toBe(200)
    expect(begun.json).toMatchObject({ id: chatId, title: 'expenses.md' })
    // Not anyone else's chat now: a file of theirs for the same id is a 404, as is reading it.
    expect((await upload(alex, 'notes.md', MARKDOWN, { scope: 'chat', chatId })).status).toBe(404)
    expect((await api(alex, `${stack.app.url}/api/chats/${chatId}`)).status).toBe(404)
    expect((await waitUntilProcessed(megan, attached.json.id)).status).toBe('ready')
    const answer = await ask(megan, chatId, 'How much are meals reimbursed during business trips?')
    expect(answer.stored?.[0]).toMatchObject({ documentName: 'expenses.md' })
    expect((await api(megan, `${stack.app.url}/api/chats/${chatId}`)).json.title).toBe('How much are meals reimbursed during business trips?')
    // A refused file begins nothing.
    const refusedChat = randomUUID()
    expect((await upload(megan, 'report.pdf', Buffer.from('MZ\x90\x00', 'latin1'), { scope: 'chat', chatId: refusedChat })).status).toBe(415)
    expect((await api(megan, `${stack.app.url}/api/chats/${refusedChat}`)).status).toBe(404)
  })

  it('refuses a renamed program, a damaged PDF and files over the limits with a sentence, storing nothing', async () => {
    const before = (await myDocuments(megan)).length
    const program = await upload(megan, 'report.pdf', Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(2000, 0)]))
    expect(program.status).toBe(415)
    expect(program.json.message).toBe('"report.pdf" is not a document the assistant can read. Only PDF, Word (.docx), Markdown, HTML and plain text files can be uploaded.')
    const damaged = await upload(megan, 'broken.pdf', '%PDF-1.7\nthis is not really a PDF at all')
    expect(damaged.status).toBe(422)
    expect(damaged.json.message).toBe('The PDF could not be read: it is damaged or protected by a password.')
    const large = await upload(megan, 'large.txt', 'word '.repeat(300_000))
    expect(large.status).toBe(413)
    expect(large.json.message).toMatch(/^The file is (1\.4 MB|larger than 1 MB); the limit is 1 MB \(DOCUMENT_MAX_MB\)\.$/)
    expect((await myDocuments(megan)).length).toBe(before)
  })

  interface Citation { id: number, documentId: string, documentName: string, page: number | null, heading: string | null, text: string }

  async function ask(client: HttpClient, chatId: string, text: string, extra: Record<string, unknown> = {}) {
    const result = await sendChat(client, stack.app.url, chatId, { message: userMessage(text), ...extra })
    expect(result.status, JSON.stringify(result.json)).toBe(200)
    const streamed = result.events.find(e => e.type === 'data-citations')?.data as Citation[] | undefined
    const { json } = await api(client, `${stack.app.url}/api/chats/${chatId}/messages`)
    const stored = (json.messages as Array<{ role: string, citations: Citation[] | null }>).at(-1)!
    expect(stored.role).toBe('assistant')
    return { text: result.text, streamed, stored: stored.citations }
  }

  it('grounds every answer in a chat on its attachments, citing them in the stream and in history', async () => {
    const answer = await ask(megan, meganChat, 'How much are meals reimbursed during business trips?')
    expect(answer.stored?.[0]).toMatchObject({ id: 1, documentName: 'expenses.md', heading: 'Expense Guide' })
    expect(answer.stored?.[0]?.text).toContain('forty euros')
    expect(answer.streamed).toEqual(answer.stored)
    expect(answer.text).toContain('According to [1] (expenses.md')
    // Only the chat's attachment takes part unless a library is picked.
    expect(new Set(answer.stored!.map(c => c.documentName))).toEqual(new Set(['expenses.md']))
    // The chat's export keeps the answer's sources, as JSON and as a list under it in Markdown.
    const exported = await api(megan, `${stack.app.url}/api/chats/${meganChat}/export?format=json`)
    expect(exported.json.messages.at(-1).citations).toEqual(answer.stored)
    const markdown = await megan.fetch(`${stack.app.url}/api/chats/${meganChat}/export?format=markdown`).then(r => r.text())
    expect(markdown).toContain('[1] expenses.md, Expense Guide')
  })

  it('answers from the picked library with the right document and page, and a follow-up keeps the topic', async () => {
    const chat = randomUUID()
    const first = await ask(megan, chat, 'What is the hotel limit per night in Frankfurt?', { libraries: ['me'] })
    expect(first.stored?.[0]).toMatchObject({ documentName: 'travel-policy.pdf', page: 2 })
    expect(first.text).toMatch(/^According to \[1\] \(travel-policy\.pdf, page 2\)/)
    const followUp = await ask(megan, chat, 'And elsewhere?', { libraries: ['me'] })
    expect(followUp.stored?.[0]).toMatchObject({ documentName: 'travel-policy.pdf', page: 2 })
  })

  it('never shows another user\'s documents: their answer cites none of them', async () => {
    const chat = randomUUID()
    const answer = await ask(alex, chat, 'What is the hotel limit per night in Frankfurt?', { libraries: ['me'] })
    expect(answer.stored).toEqual([])
    expect(answer.text).toBe('The documents you can search do not cover this question.')
    const group = await sendChat(alex, stack.app.url, randomUUID(), { message: userMessage('Hotels?'), libraries: ['a-group-alex-is-not-in'] })
    expect(group.status).toBe(404)
  })

  it('shares a document with an Entra group: members find and cite it (an overage member through Graph), anyone else gets 404', async () => {
    const patti = (await signIn(stack.app, accounts.patti)).client
    const lynne = (await signIn(stack.app, accounts.lynne)).client
    const risk = await upload(alex, 'risk-appetite.md', '# Risk Appetite\n\nThe maximum single counterparty exposure is five percent of capital.\n', { scope: 'group', groupId: groups.riskTeam })
    const conduct = await upload(alex, 'code-of-conduct.md', '# Code of Conduct\n\nGifts from clients above fifty euros must be declared to compliance.\n', { scope: 'group', groupId: groups.staff })
    expect([risk.status, conduct.status]).toEqual([202, 202])
    expect((await waitUntilProcessed(alex, risk.json.id)).status).toBe('ready')
    expect((await waitUntilProcessed(alex, conduct.json.id)).status).toBe('ready')

    // Members of All staff (Megan by her token's claim, Patti's 250 groups by Graph) find and cite it.
    for (const member of [megan, patti]) {
      expect((await api(member, `${stack.app.url}/api/documents/${conduct.json.id}`)).status).toBe(200)
      const answer = await ask(member, randomUUID(), 'Which gifts from clients must be declared?', { libraries: [groups.staff] })
      expect(answer.stored?.[0]).toMatchObject({ documentName: 'code-of-conduct.md' })
    }
    // Not in the Risk team: the document, the library and its passages do not exist for Megan.
    expect((await api(megan, `${stack.app.url}/api/documents/${risk.json.id}`)).status).toBe(404)
    expect((await sendChat(megan, stack.app.url, randomUUID(), { message: userMessage('Exposure?'), libraries: [groups.riskTeam] })).status).toBe(404)
    const mine = await ask(megan, randomUUID(), 'What is the maximum single counterparty exposure?', { libraries: ['me', groups.staff] })
    expect(mine.stored?.map(c => c.documentName)).not.toContain('risk-appetite.md')
    // In no group at all: nothing shared is there.
    expect((await api(lynne, `${stack.app.url}/api/documents/${conduct.json.id}`)).status).toBe(404)
    expect((await sendChat(lynne, stack.app.url, randomUUID(), { message: userMessage('Gifts?'), libraries: [groups.staff] })).status).toBe(404)
    // A member who is not its owner (nor an admin) may read it but not remove it.
    expect((await api(megan, `${stack.app.url}/api/documents/${conduct.json.id}`, { method: 'DELETE', headers: { origin: stack.app.url } })).status).toBe(403)

    // The libraries to pick from: mine and my groups', named from Graph, with their ready documents.
    const libraries = async (client: HttpClient) => (await api(client, `${stack.app.url}/api/me/libraries`)).json.libraries as Array<{ id: string, name: string, documents: number }>
    expect(await libraries(alex)).toEqual([
      { id: 'me', name: 'My documents', documents: 0 },
      { id: groups.staff, name: 'All staff', documents: 1 },
      { id: groups.riskTeam, name: 'Risk team', documents: 1 },
    ])
    expect((await libraries(megan)).slice(1)).toEqual([{ id: groups.staff, name: 'All staff', documents: 1 }])
    expect(await libraries(lynne)).toEqual([{ id: 'me', name: 'My documents', documents: 0 }])
    const pattis = await libraries(patti)
    expect(pattis).toHaveLength(251)
    expect(pattis[1]).toEqual({ id: groups.staff, name: 'All staff', documents: 1 })
  })

  it('deletes a document with its chunks, audited, and it is gone everywhere', async () => {
    const pdf = uploaded['travel-policy.pdf']!
    expect((await api(megan, `${stack.app.url}/api/documents/${pdf.id}`, { method: 'DELETE', headers: { origin: stack.app.url } })).status).toBe(204)
    expect((await api(megan, `${stack.app.url}/api/documents/${pdf.id}`)).status).toBe(404)
    expect((await myDocuments(megan)).map(d => d.name)).not.toContain('travel-policy.pdf')
    if (stack.db.url) {
      const sql = postgres(stack.db.url, { max: 1 })
      try {
        const [chunks] = await sql`SELECT count(*)::int AS n FROM document_chunks WHERE document_id = ${pdf.id}`
        expect(chunks!.n).toBe(0)
        const audit = await sql`SELECT action, outcome FROM audit_log WHERE target_id = ${pdf.id} ORDER BY id`
        expect(audit.map(a => a.action)).toEqual(['document_uploaded', 'document_deleted'])
      }
      finally {
        await sql.end()
      }
    }
  })
})
