import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accessTokenFor, auditEntries, person } from '../support/admin'
import { HttpClient } from '../support/http-client'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

// Pradeep is a B2B guest in Contoso: his tokens say acct = 1 and idp = Fabrikam's issuer.
let stack: Stack
beforeAll(async () => {
  stack = await startStack({ servers: 2 })
})
afterAll(async () => {
  await stack?.stop()
})

describe('B2B guests', () => {
  it('are refused by default, with a page saying so and an audit entry', async () => {
    const from = new Date().toISOString()
    const { back } = await signIn(stack.app, accounts.pradeep)
    expect(back.url).toBe(`${stack.app.url}/auth/error?error=GuestNotAllowed`)
    expect(await back.response.text()).toContain('Guest accounts cannot use the assistant')
    const admin = await person(stack, accounts.adele)
    const refused = (await auditEntries(stack, admin.client, { action: 'sign_in', from })).filter(e => e.outcome === 'refused')
    expect(refused).toEqual([expect.objectContaining({ reason: 'GuestNotAllowed', targetId: `${accounts.pradeep.tid}/${accounts.pradeep.oid}` })])
    const bearer = await api(new HttpClient(), `${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${await accessTokenFor(stack, accounts.pradeep)}` } })
    expect(bearer.status).toBe(401)
    expect(bearer.json.data).toEqual({ reason: 'GuestNotAllowed' })
  })

  it('sign in with ALLOW_GUESTS=true and are marked as guests in the admin users list', async () => {
    const allowing = await stack.startApp({ ALLOW_GUESTS: 'true' })
    try {
      const { back, client } = await signIn(allowing, accounts.pradeep)
      expect(back.url).toBe(`${allowing.url}/`)
      const guestId = (await api(client, `${allowing.url}/api/me`)).json.id
      const { client: admin } = await signIn(allowing, accounts.adele)
      const users = await api(admin, `${allowing.url}/api/admin/users`)
      expect(users.status).toBe(200)
      const rows = users.json.users as { id: string, isGuest: boolean }[]
      expect(rows.find(u => u.id === guestId)?.isGuest).toBe(true)
      expect(rows.find(u => u.id !== guestId)?.isGuest).toBe(false)
    }
    finally {
      await allowing.stop()
    }
  })
})
