import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../support/database'
import { accounts, api, entraControl, refreshCount, signIn, startStack, type Stack } from '../support/stack'

// The app refreshes min(60 s, lifetime / 2) before Entra's expiry: a token issued for 2 s is due
// after 1 s.
const DUE_NOW = 2
const dueSoon = () => new Promise(resolve => setTimeout(resolve, 1100))

async function signInWithDueToken(stack: Stack, account: { oid: string }) {
  await entraControl(stack.entra, 'settings', { accessTokenTtlSeconds: DUE_NOW })
  const { client } = await signIn(stack.app, account)
  await entraControl(stack.entra, 'settings', { accessTokenTtlSeconds: 3600 })
  await dueSoon()
  await entraControl(stack.entra, 'stats/reset')
  return client
}

describe('staying signed in', () => {
  let stack: Stack
  beforeAll(async () => {
    // Room for two more processes: the access-token test's and the tenant-allowlist test's.
    stack = await startStack({ servers: 3 })
  })
  afterAll(async () => {
    await stack?.stop()
  })
  afterEach(async () => {
    await entraControl(stack.entra, 'accounts/' + accounts.megan.oid + '/enable')
  })

  it('refreshes once when 20 requests notice the expiry at the same moment', async () => {
    const client = await signInWithDueToken(stack, accounts.alex)
    const results = await Promise.all(Array.from({ length: 20 }, () => api(client, `${stack.app.url}/api/me`)))
    expect(results.map(r => r.status)).toEqual(Array(20).fill(200))
    expect(await refreshCount(stack.entra)).toBe(1)
    // Fresh now: no further refresh.
    expect((await api(client, `${stack.app.url}/api/me`)).status).toBe(200)
    expect(await refreshCount(stack.entra)).toBe(1)
  })

  it('gives the browser Entra\'s access token only with AZURE_AD_EXPOSE_ACCESS_TOKEN=true, refreshed once due', async () => {
    const { client: plain } = await signIn(stack.app, accounts.alex)
    const hidden = await api(plain, `${stack.app.url}/api/auth/session`)
    expect(hidden.status).toBe(200)
    expect(hidden.json.user.id).toBeTruthy()
    expect(hidden.json).not.toHaveProperty('accessToken')

    const exposing = await stack.startApp({ AZURE_AD_EXPOSE_ACCESS_TOKEN: 'true' })
    try {
      await entraControl(stack.entra, 'settings', { accessTokenTtlSeconds: DUE_NOW })
      const { client } = await signIn(exposing, accounts.alex)
      await entraControl(stack.entra, 'settings', { accessTokenTtlSeconds: 3600 })
      await dueSoon()
      await entraControl(stack.entra, 'stats/reset')
      const shown = await api(client, `${exposing.url}/api/auth/session`)
      expect(shown.status).toBe(200)
      const [, payload] = String(shown.json.accessToken).split('.')
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString())
      expect(claims.oid).toBe(accounts.alex.oid)
      // It was due: refreshed once, and what the browser got is the new token, good for an hour.
      expect(await refreshCount(stack.entra)).toBe(1)
      expect(claims.exp - Math.floor(Date.now() / 1000)).toBeGreaterThan(DUE_NOW + 60)
    }
    finally {
      await exposing.stop()
    }
  })

  it.each([
    ['revoked in Entra', 'revoke'],
    ['disabled in Entra', 'disable'],
  ])('ends the session when the refresh token is %s: 401 on the API, sign-in on pages', async (_, action) => {
    const client = await signInWithDueToken(stack, accounts.megan)
    await entraControl(stack.entra, `accounts/${accounts.megan.oid}/${action}`)
    const response = await api(client, `${stack.app.url}/api/me`)
    expect(response.status).toBe(401)
    expect(response.json.message).toBe('Your session has ended. Please sign in again.')
    expect(response.json.data).toEqual({ reason: 'RefreshAccessTokenError' })
    // The old cookie stays dead even if it is replayed.
    const page = await client.fetch(`${stack.app.url}/chat`)
    expect(page.status).toBe(302)
    expect(page.headers.get('location')).toMatch('/api/session/sign-in')
    expect(await refreshCount(stack.entra)).toBe(1)
  })

  it('answers 503, not 500, while Entra is unreachable, and recovers when it is back', async () => {
    const client = await signInWithDueToken(stack, accounts.lynne)
    await entraControl(stack.entra, 'outage', { on: true })
    try {
      const during = await api(client, `${stack.app.url}/api/me`)
      expect(during.status).toBe(503)
      expect(during.json.message).toMatch(/sign-in service .* unreachable/)
    }
    finally {
      await entraControl(stack.entra, 'outage', { on: false })
    }
    expect((await api(client, `${stack.app.url}/api/me`)).status).toBe(200)
  })

  it('refuses a tenant outside the allowlist with its own message', async () => {
    // An app registration in Fabrikam, but only Contoso staff are allowed.
    const fabrikamApp = await stack.startApp({ AZURE_AD_TENANT_ID: accounts.isaiah.tid, AZURE_AD_ALLOWED_TENANTS: accounts.megan.tid })
    const { back } = await signIn(fabrikamApp, accounts.isaiah)
    expect(back.url).toBe(`${fabrikamApp.url}/auth/error?error=TenantNotAllowed`)
    expect(await back.response.text()).toContain('Your organisation is not allowed')
    await fabrikamApp.stop()
  })
})

describe('two server processes on one PostgreSQL', () => {
  let stack: Stack
  beforeAll(async () => {
    const db = await createTestDatabase({ kind: 'postgres' })
    stack = await startStack({ db, servers: 2 })
  })
  afterAll(async () => {
    await stack?.stop()
    await stack?.db.drop()
  })

  it('refreshes once when requests on both notice the expiry at the same moment', async () => {
    const second = await stack.startApp()
    const client = await signInWithDueToken(stack, accounts.alex)
    const cookie = client.cookies(stack.app.url).get('next-auth.session-token')!
    client.setCookie(second.url, 'next-auth.session-token', cookie)
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => api(client, `${(i % 2 ? second : stack.app).url}/api/me`)))
    expect(results.map(r => r.status)).toEqual(Array(20).fill(200))
    expect(await refreshCount(stack.entra)).toBe(1)
  })
})
