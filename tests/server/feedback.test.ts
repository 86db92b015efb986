import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditEntries, call, chatOnce, parseCsv, person, type Person } from '../support/admin'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

let stack: Stack
let admin: Person
let megan: Person
let alex: Person
let chatId: string
let question: { id: string }
let answer: { id: string, text: string }

const feedbackPath = (messageId: string, chat = chatId) => `/api/chats/${chat}/messages/${messageId}/feedback`
const rate = (who: Person, json: unknown, messageId = answer.id, chat = chatId) => call(stack, who.client, feedbackPath(messageId, chat), { method: 'PUT', json })
const clear = (who: Person, messageId = answer.id) => call(stack, who.client, feedbackPath(messageId), { method: 'DELETE' })

/** The answer's feedback as the chat history returns it after a reload. */
async function storedFeedback() {
  const { json } = await api(megan.client, `${stack.app.url}/api/chats/${chatId}/messages`)
  return (json.messages as Array<{ id: string, feedback: unknown }>).find(m => m.id === answer.id)!.feedback
}

async function csv(app = stack.app, client = admin.client) {
  const response = await client.fetch(`${app.url}/api/admin/feedback/export?days=7`)
  expect(response.status).toBe(200)
  const [header = [], ...records] = parseCsv((await response.text()).replace(/^\uFEFF/, ''))
  return { header, records }
}

beforeAll(async () => {
  stack = await startStack({ servers: 2 })
  admin = await person(stack, accounts.adele)
  megan = await person(stack, accounts.megan)
  alex = await person(stack, accounts.alex)
  const sent = await chatOnce(stack, megan.client, 'Summarise the travel policy')
  expect(sent.status).toBe(200)
  chatId = sent.chatId
  const { json } = await api(megan.client, `${stack.app.url}/api/chats/${chatId}/messages`)
  const [q, a] = json.messages as Array<{ id: string, parts: Array<{ type: string, text?: string }> }>
  question = q!
  answer = { id: a!.id, text: a!.parts.filter(p => p.type === 'text').map(p => p.text).join('') }
  expect(answer.text.length).toBeGreaterThan(0)
})
afterAll(async () => {
  await stack?.stop()
})

describe('feedback on an answer', () => {
  it('starts without feedback', async () => {
    expect(await storedFeedback()).toBeNull()
  })

  it('is set, kept with the message and shown again after a reload', async () => {
    const response = await rate(megan, { rating: 'up' })
    expect(response.status).toBe(200)
    expect(response.json).toMatchObject({ rating: 'up', reason: null, comment: null })
    expect(await storedFeedback()).toEqual({ rating: 'up', reason: null, comment: null })
  })

  it('is changed to a thumbs down with a reason and a comment', async () => {
    const response = await rate(megan, { rating: 'down', reason: 'wrong', comment: '  The limit is 200 EUR, not 100.  ' })
    expect(response.status).toBe(200)
    expect(await storedFeedback()).toEqual({ rating: 'down', reason: 'wrong', comment: 'The limit is 200 EUR, not 100.' })
  })

  it('drops a reason given with a thumbs up', async () => {
    expect((await rate(megan, { rating: 'up', reason: 'harmful' })).status).toBe(200)
    expect(await storedFeedback()).toEqual({ rating: 'up', reason: null, comment: null })
  })

  it('is cleared, and clearing again is not an error', async () => {
    expect((await clear(megan)).status).toBe(204)
    expect(await storedFeedback()).toBeNull()
    expect((await clear(megan)).status).toBe(204)
  })

  it.each([
    ['an unknown rating', { rating: 'meh' }, 'rating'],
    ['an unknown reason', { rating: 'down', reason: 'boring' }, 'reason'],
    ['a comment over 2000 characters', { rating: 'down', comment: 'x'.repeat(2001) }, 'comment'],
  ])('refuses %s with a 400 naming the field', async (_name, body, field) => {
    const response = await rate(megan, body)
    expect(response.status).toBe(400)
    expect(response.json.data.field).toBe(field)
  })

  it('is 404 on another user\'s answer, and nothing is stored', async () => {
    expect((await rate(alex, { rating: 'down', reason: 'harmful' })).status).toBe(404)
    expect((await clear(alex)).status).toBe(404)
    expect(await storedFeedback()).toBeNull()
  })

  it('is 404 on a question (only answers are rated)', async () => {
    expect((await rate(megan, { rating: 'up' }, question.id)).status).toBe(404)
  })

  it('is audited without the comment\'s words', async () => {
    const given = await auditEntries(stack, admin.client, { action: 'feedback_given' })
    const mine = given.filter(e => e.actorId === megan.id && e.targetId === answer.id)
    expect(mine).toHaveLength(3)
    expect(mine.map(e => e.details)).toContainEqual({ chatId, rating: 'down', reason: 'wrong', comment: true })
    expect(JSON.stringify(given)).not.toContain('200 EUR')
    const cleared = await auditEntries(stack, admin.client, { action: 'feedback_cleared' })
    expect(cleared.filter(e => e.actorId === megan.id && e.targetId === answer.id)).toHaveLength(1)
  })
})

describe('the admin feedback page', () => {
  beforeAll(async () => {
    expect((await rate(megan, { rating: 'down', reason: 'unhelpful', comment: 'Too vague for a policy question' })).status).toBe(200)
    const second = await chatOnce(stack, alex.client, 'What is our dress code?')
    const { json } = await api(alex.client, `${stack.app.url}/api/chats/${second.chatId}/messages`)
    const alexAnswer = (json.messages as Array<{ id: string, role: string }>).find(m => m.role === 'assistant')!
    expect((await rate(alex, { rating: 'up' }, alexAnswer.id, second.chatId)).status).toBe(200)
  })

  it('is for admins only', async () => {
    expect((await api(megan.client, `${stack.app.url}/api/admin/feedback`)).status).toBe(403)
    expect((await megan.client.fetch(`${stack.app.url}/api/admin/feedback/export`)).status).toBe(403)
  })

  it('gives the rate per model and per day, and the latest comments', async () => {
    const { status, json } = await api(admin.client, `${stack.app.url}/api/admin/feedback?days=7`)
    expect(status).toBe(200)
    expect(json.byModel).toEqual([{ model: 'gpt-4o-mini', label: expect.any(String), up: 1, down: 1, rate: 0.5 }])
    const today = new Date().toISOString().slice(0, 10)
    expect(json.daily).toEqual([{ day: today, model: 'gpt-4o-mini', up: 1, down: 1, rate: 0.5 }])
    expect(json.latest).toHaveLength(1)
    expect(json.latest[0]).toMatchObject({ rating: 'down', reason: 'unhelpful', comment: 'Too vague for a policy question', model: 'gpt-4o-mini' })
    expect(json.includesText).toBe(false)
  })

  it('downloads a CSV without the answers\' text by default, and audits it', async () => {
    const { header, records } = await csv()
    expect(header).toEqual(['time', 'message_id', 'model', 'rating', 'reason', 'comment'])
    expect(records).toHaveLength(2)
    const megans = records.find(r => r[1] === answer.id)!
    expect(megans.slice(2)).toEqual(['gpt-4o-mini', 'down', 'unhelpful', 'Too vague for a policy question'])
    expect(records.flat().join(' ')).not.toContain(answer.text.slice(0, 30))
    const exported = await auditEntries(stack, admin.client, { action: 'feedback_exported' })
    expect(exported[0]).toMatchObject({ actorId: admin.id, outcome: 'success', details: { days: 7, rows: 2, withText: false } })
  })

  it('includes the answer\'s text only with FEEDBACK_INCLUDE_TEXT=true', async () => {
    const first = stack.app
    await first.stop()
    const withText = await stack.startApp({ FEEDBACK_INCLUDE_TEXT: 'true' }, { sameDatabaseAs: first })
    // Signed in again: the session is bound to the server's origin.
    const { client } = await signIn(withText, accounts.adele)
    const { header, records } = await csv(withText, client)
    expect(header).toEqual(['time', 'message_id', 'model', 'rating', 'reason', 'comment', 'answer_text'])
    expect(records.find(r => r[1] === answer.id)![6]).toBe(answer.text)
  })
})
