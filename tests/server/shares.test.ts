import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accessTokenFor, auditEntries, call, chatOnce, person, type Person } from '../support/admin'
import { HttpClient } from '../support/http-client'
import { sendChat, userMessage } from '../support/chat-client'
import { withDatabase } from '../support/seed'
import { accounts, api, startStack, tenants, type Stack } from '../support/stack'

let stack: Stack
let admin: Person
let megan: Person
let alex: Person
let isaiahToken: string
let chatId: string

interface SharedView { share: { mode: string, ownerName: string, own: boolean }, title: string, messages: Array<{ id: string, role: string, parts: Array<{ text: string }> }> }

const share = (mode: 'snapshot' | 'live') => call(stack, megan.client, `/api/chats/${chatId}/shares`, { method: 'POST', json: { mode } })
const open = (who: Person, id: string) => api(who.client, `${stack.app.url}/api/shared/${id}`)

beforeAll(async () => {
  // Fabrikam's staff may sign in too: the link must still stay inside Contoso.
  stack = await startStack({ env: { AZURE_AD_ALLOWED_TENANTS: `${tenants.contoso.id},${tenants.fabrikam.id}` } })
  admin = await person(stack, accounts.adele)
  megan = await person(stack, accounts.megan)
  alex = await person(stack, accounts.alex)
  // Isaiah (Fabrikam) calls with an Entra access token, as a script of his would.
  isaiahToken = await accessTokenFor(stack, accounts.isaiah)
  expect((await api(new HttpClient(), `${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${isaiahToken}` } })).status).toBe(200)
  chatId = (await chatOnce(stack, megan.client, 'Draft the onboarding checklist')).chatId
})
afterAll(async () => {
  await stack?.stop()
})

describe('sharing a chat inside the tenant', () => {
  let snapshotId: string
  let liveId: string

  it('the owner creates a snapshot link and a live one', async () => {
    const snapshot = await share('snapshot')
    expect(snapshot.status).toBe(201)
    expect(snapshot.json).toMatchObject({ mode: 'snapshot', path: `/shared/${snapshot.json.id}`, revokedAt: null })
    snapshotId = snapshot.json.id
    const live = await share('live')
    expect(live.status).toBe(201)
    liveId = live.json.id
  })

  it('a colleague opens it read-only (200), seeing the messages up to the snapshot', async () => {
    await sendChat(megan.client, stack.app.url, chatId, { message: userMessage('Add the laptop order') })
    const snapshot = await open(alex, snapshotId)
    expect(snapshot.status).toBe(200)
    const body = snapshot.json as SharedView
    expect(body.title).toBe('Draft the onboarding checklist')
    expect(body.share).toMatchObject({ mode: 'snapshot', ownerName: 'Megan Bowen', own: false })
    expect(body.messages.map(m => m.role)).toEqual(['user', 'assistant'])
    const live = (await open(alex, liveId)).json as SharedView
    expect(live.messages.map(m => m.role)).toEqual(['user', 'assistant', 'user', 'assistant'])
    expect(live.messages[2]!.parts[0]!.text).toBe('Add the laptop order')
  })

  it('is 404 for a signed-in user of another tenant, and 401 without a session', async () => {
    expect((await api(new HttpClient(), `${stack.app.url}/api/shared/${snapshotId}`, { headers: { authorization: `Bearer ${isaiahToken}` } })).status).toBe(404)
    expect((await api(new HttpClient(), `${stack.app.url}/api/shared/${snapshotId}`)).status).toBe(401)
  })

  it('lets only the owner list the links and sees who opened them', async () => {
    expect((await api(alex.client, `${stack.app.url}/api/chats/${chatId}/shares`)).status).toBe(404)
    const { status, json } = await api(megan.client, `${stack.app.url}/api/chats/${chatId}/shares`)
    expect(status).toBe(200)
    const snapshot = json.shares.find((s: { id: string }) => s.id === snapshotId)
    expect(snapshot.viewers).toEqual([expect.objectContaining({ name: 'Alex Wilber', opens: 1 })])
  })

  it('a colleague continues it in a new chat of their own, a copy', async () => {
    const copied = await call(stack, alex.client, `/api/shared/${snapshotId}/copy`, { method: 'POST' })
    expect(copied.status).toBe(201)
    const mine = await api(alex.client, `${stack.app.url}/api/chats/${copied.json.id}/messages`)
    expect(mine.status).toBe(200)
    const original = (await open(alex, snapshotId)).json as SharedView
    expect(mine.json.messages.map((m: { role: string, parts: unknown }) => ({ role: m.role, parts: m.parts })))
      .toEqual(original.messages.map(m => ({ role: m.role, parts: m.parts })))
    // The copy is Alex's: they continue it, and Megan cannot see it.
    const next = await sendChat(alex.client, stack.app.url, copied.json.id, { message: userMessage('And the badge?') })
    expect(next.status).toBe(200)
    expect((await api(megan.client, `${stack.app.url}/api/chats/${copied.json.id}/messages`)).status).toBe(404)
    // Copying used no model: the usage dashboard does not count the copied messages.
    const counted = await withDatabase(stack, query => query('SELECT count(*)::int AS n FROM usage_records WHERE chat_id = $1', [copied.json.id]))
    expect(counted[0]!.n).toBe(2)
  })

  it('is 404 for everyone once revoked, and stays listed as revoked', async () => {
    expect((await call(stack, alex.client, `/api/chats/${chatId}/shares/${snapshotId}`, { method: 'DELETE' })).status).toBe(404)
    expect((await call(stack, megan.client, `/api/chats/${chatId}/shares/${snapshotId}`, { method: 'DELETE' })).status).toBe(204)
    expect((await open(alex, snapshotId)).status).toBe(404)
    expect((await open(megan, snapshotId)).status).toBe(404)
    expect((await call(stack, alex.client, `/api/shared/${snapshotId}/copy`, { method: 'POST' })).status).toBe(404)
    expect((await open(alex, liveId)).status).toBe(200)
    const { json } = await api(megan.client, `${stack.app.url}/api/chats/${chatId}/shares`)
    expect(json.shares.find((s: { id: string }) => s.id === snapshotId).revokedAt).not.toBeNull()
  })

  it('refuses an unknown mode and someone else\'s chat', async () => {
    expect((await call(stack, megan.client, `/api/chats/${chatId}/shares`, { method: 'POST', json: { mode: 'public' } })).status).toBe(400)
    expect((await call(stack, alex.client, `/api/chats/${chatId}/shares`, { method: 'POST', json: { mode: 'live' } })).status).toBe(404)
  })

  it('is audited', async () => {
    const actions = async (action: string) => (await auditEntries(stack, admin.client, { action })).filter(e => e.targetType === 'share')
    expect((await actions('share_created')).map(e => e.actorId)).toEqual([megan.id, megan.id])
    expect((await actions('share_revoked')).map(e => e.targetId)).toEqual([snapshotId])
    expect((await actions('share_opened')).every(e => e.actorId === alex.id)).toBe(true)
    expect(await actions('share_copied')).toHaveLength(1)
  })
})
