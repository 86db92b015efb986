import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpClient } from '../support/http-client'
import { accessTokenFor, call, chatOnce, person, type Person } from '../support/admin'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

let stack: Stack
let admin: Person

beforeAll(async () => {
  stack = await startStack({ env: { CHAT_SYSTEM_PROMPT: 'Be brief.' } })
  admin = await person(stack, accounts.adele)
})
afterAll(async () => {
  await stack?.stop()
})

interface AdminUser {
  id: string
  name: string
  email: string
  status: 'active' | 'disabled'
  firstSignInAt: string | null
  lastSignInAt: string | null
  lastActiveAt: string
  disabledAt: string | null
  chats: number
  messages: number
  tokens: number
}

async function users(query: Record<string, string> = {}) {
  const response = await api(admin.client, `${stack.app.url}/api/admin/users?${new URLSearchParams(query)}`)
  expect(response.status).toBe(200)
  return response.json as { users: AdminUser[], nextCursor: string | null }
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length

describe('the users list', () => {
  let megan: Person
  let meganTokens = 0

  beforeAll(async () => {
    megan = await person(stack, accounts.megan)
    await person(stack, accounts.alex)
    await person(stack, accounts.lynne)
    // Megan is active after Alex signed in: she comes first.
    for (const text of ['What is our travel policy?', 'Summarise the quarterly results']) {
      const { text: reply, status } = await chatOnce(stack, megan.client, text)
      expect(status).toBe(200)
      // The emulator counts words: the system prompt and the question in, the answer out.
      meganTokens += words('Be brief.') + words(text) + words(reply)
    }
  })

  it('searches by name or email and shows each person\'s figures', async () => {
    const byName = await users({ q: 'MEGAN' })
    const byEmail = await users({ q: 'megan.bowen@contoso' })
    expect(byName.users.map(u => u.id)).toEqual([megan.id])
    expect(byEmail.users.map(u => u.id)).toEqual([megan.id])
    const row = byName.users[0]!
    expect(row).toMatchObject({ name: 'Megan Bowen', email: 'megan.bowen@contoso.com', status: 'active', disabledAt: null, chats: 2, messages: 2, tokens: meganTokens })
    expect(Date.parse(row.firstSignInAt!)).toBeLessThanOrEqual(Date.parse(row.lastSignInAt!))
    expect(Date.parse(row.lastActiveAt)).toBeGreaterThan(Date.parse(row.lastSignInAt!))
    expect(Object.keys(row)).not.toContain('tenantId')
  })

  it('takes % and _ in a search literally', async () => {
    expect((await users({ q: '%' })).users).toEqual([])
  })

  it('keeps the first sign-in when someone signs in again', async () => {
    const before = (await users({ q: 'alex' })).users[0]!
    await person(stack, accounts.alex)
    const after = (await users({ q: 'alex' })).users[0]!
    expect(after.firstSignInAt).toBe(before.firstSignInAt)
    expect(Date.parse(after.lastSignInAt!)).toBeGreaterThan(Date.parse(before.lastSignInAt!))
  })

  it('sorts by last activity and pages with a cursor without skipping or repeating', async () => {
    const all = await users({ limit: '100' })
    const activity = all.users.map(u => Date.parse(u.lastActiveAt))
    expect(activity).toEqual([...activity].sort((a, b) => b - a))
    expect(all.users.map(u => u.name)).toEqual(['Alex Wilber', 'Megan Bowen', 'Lynne Robbins', 'Adele Vance'])

    const paged: string[] = []
    let cursor: string | null = null
    do {
      const page: { users: AdminUser[], nextCursor: string | null } = await users({ limit: '1', ...(cursor ? { cursor } : {}) })
      expect(page.users.length).toBeLessThanOrEqual(1)
      paged.push(...page.users.map(u => u.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(paged).toEqual(all.users.map(u => u.id))
  })
})

describe('disabling and enabling a user', () => {
  it('ends the user\'s existing sessions at their next request, API and pages alike', async () => {
    const megan = await person(stack, accounts.megan)
    const { client: pages } = await signIn(stack.app, accounts.megan)
    const token = await accessTokenFor(stack, accounts.megan)
    expect((await api(megan.client, `${stack.app.url}/api/me`)).status).toBe(200)

    const disabled = await call(stack, admin.client, `/api/admin/users/${megan.id}/disable`, { method: 'POST' })
    expect(disabled.status).toBe(200)
    expect(disabled.json).toMatchObject({ id: megan.id, status: 'disabled' })
    expect(Date.parse(disabled.json.disabledAt)).not.toBeNaN()

    const api401 = await api(megan.client, `${stack.app.url}/api/me`)
    expect(api401.status).toBe(401)
    expect(api401.json.data).toEqual({ reason: 'AccountDisabled' })
    expect(api401.json.message).toBe('Your account is disabled in the assistant. Contact your administrator.')
    // The session stays ended even if the old cookie is replayed.
    expect((await api(megan.client, `${stack.app.url}/api/chats`)).status).toBe(401)

    // A page sends the other session to the error page that explains it, not through sign-in.
    const page = await pages.fetch(`${stack.app.url}/`)
    expect(page.status).toBe(302)
    expect(page.headers.get('location')).toMatch(/\/auth\/error\?error=AccountDisabled$/)
    const error = await pages.follow(`${stack.app.url}/auth/error?error=AccountDisabled`)
    expect(await error.response.text()).toContain('Your account is disabled')

    // Scripts with her Entra token are refused too.
    const bearer = await api(new HttpClient(), `${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })
    expect(bearer.status).toBe(401)

    const listed = await users({ q: 'megan' })
    expect(listed.users[0]).toMatchObject({ status: 'disabled' })
    await call(stack, admin.client, `/api/admin/users/${megan.id}/enable`, { method: 'POST' })
  })

  it('refuses sign-in while disabled and lets the user sign in once enabled', async () => {
    const lynne = await person(stack, accounts.lynne)
    await call(stack, admin.client, `/api/admin/users/${lynne.id}/disable`, { method: 'POST' })

    const refused = await signIn(stack.app, accounts.lynne)
    expect(refused.back.url).toBe(`${stack.app.url}/auth/error?error=AccountDisabled`)
    expect(await refused.back.response.text()).toContain('An administrator has disabled your access to the assistant.')

    const enabled = await call(stack, admin.client, `/api/admin/users/${lynne.id}/enable`, { method: 'POST' })
    expect(enabled.json).toEqual({ id: lynne.id, status: 'active', disabledAt: null })
    const again = await signIn(stack.app, accounts.lynne)
    expect(again.back.url).toBe(`${stack.app.url}/`)
    expect(again.back.response.status).toBe(200)
    expect((await api(again.client, `${stack.app.url}/api/me`)).status).toBe(200)
  })

  it('is idempotent: disabling twice keeps the first time', async () => {
    const alex = await person(stack, accounts.alex)
    const first = await call(stack, admin.client, `/api/admin/users/${alex.id}/disable`, { method: 'POST' })
    const second = await call(stack, admin.client, `/api/admin/users/${alex.id}/disable`, { method: 'POST' })
    expect(second.json).toEqual(first.json)
    await call(stack, admin.client, `/api/admin/users/${alex.id}/enable`, { method: 'POST' })
  })
})
