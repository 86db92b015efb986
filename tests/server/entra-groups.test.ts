import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { groups } from '../../emulators/entra/index.ts'
import { accessTokenFor, auditEntries, person } from '../support/admin'
import { HttpClient } from '../support/http-client'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

// Patti is in 250 groups: her tokens carry `_claim_names` instead of `groups` (overage), so the app
// reads them from the Graph stand-in, 100 a page. A group on the second page makes her an admin.
const pattiPageTwoGroup = accounts.patti.groups[150]!

async function graphGroupPages(stack: Stack): Promise<number> {
  const stats = await fetch(`${stack.entra.authorityHost}/_emulator/graph/stats`).then(r => r.json()) as { requests: Record<string, number> }
  return stats.requests['/me/transitiveMemberOf/microsoft.graph.group'] ?? 0
}

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ env: { ACCESS_ALLOWED_GROUPS: `${groups.staff},${groups.riskTeam}`, ADMIN_GROUPS: pattiPageTwoGroup } })
})
afterAll(async () => {
  await stack?.stop()
})

describe('Entra groups', () => {
  it('lets a member of an allowed group in, with the app roles only', async () => {
    const { client } = await signIn(stack.app, accounts.megan)
    const me = await api(client, `${stack.app.url}/api/me`)
    expect(me.status).toBe(200)
    expect(me.json.roles).toEqual([])
  })

  it('refuses a user in none of ACCESS_ALLOWED_GROUPS with a page naming the reason, and audits it', async () => {
    const from = new Date().toISOString()
    const { back } = await signIn(stack.app, accounts.lynne)
    expect(back.url).toBe(`${stack.app.url}/auth/error?error=NotInAllowedGroup`)
    expect(await back.response.text()).toContain('You do not have access to the assistant')
    const admin = await person(stack, accounts.adele)
    const refused = (await auditEntries(stack, admin.client, { action: 'sign_in', from })).filter(e => e.outcome === 'refused')
    expect(refused).toEqual([expect.objectContaining({ reason: 'NotInAllowedGroup', targetType: 'entra_account', targetId: `${accounts.lynne.tid}/${accounts.lynne.oid}` })])
  })

  it('reads an overage user\'s groups from Graph across pages, grants Admin by group, and keeps the cookie small', async () => {
    const before = await graphGroupPages(stack)
    const client = new HttpClient()
    const { back } = await signIn(stack.app, accounts.patti, client)
    expect(back.url).toBe(`${stack.app.url}/`)
    expect(await graphGroupPages(stack) - before).toBe(3)
    const me = await api(client, `${stack.app.url}/api/me`)
    expect(me.status).toBe(200)
    expect(me.json.roles).toEqual(['Admin'])
    const cookie = client.cookies(stack.app.url).get('next-auth.session-token')!
    expect(cookie.length).toBeLessThan(1500)
    const header = [...client.cookies(stack.app.url)].map(([k, v]) => `${k}=${v}`).join('; ')
    expect(header.length).toBeLessThan(4096)
  })

  it('takes a bearer token\'s groups from its claim, or from Graph on overage', async () => {
    const megan = await api(new HttpClient(), `${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${await accessTokenFor(stack, accounts.megan)}` } })
    expect(megan.status).toBe(200)
    expect(megan.json.roles).toEqual([])
    const patti = await api(new HttpClient(), `${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${await accessTokenFor(stack, accounts.patti)}` } })
    expect(patti.status).toBe(200)
    expect(patti.json.roles).toEqual(['Admin'])
    const lynne = await api(new HttpClient(), `${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${await accessTokenFor(stack, accounts.lynne)}` } })
    expect(lynne.status).toBe(401)
    expect(lynne.json.data).toEqual({ reason: 'NotInAllowedGroup' })
  })
})
