import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { HttpClient } from '../support/http-client'
import { accounts, api, entraControl, signIn, startStack, type Stack } from '../support/stack'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})
afterEach(async () => {
  await entraControl(stack.entra, 'settings', { accessTokenTtlSeconds: 3600, reportedExpiresInSeconds: null })
  for (const account of [accounts.alex, accounts.megan]) {
    await entraControl(stack.entra, `accounts/${account.oid}/refuse-refresh`, { on: false })
    await entraControl(stack.entra, `accounts/${account.oid}/claims-challenge`, { on: false })
  }
})

// Authorization requests, not oidc-provider's resume step (/authorize/<uid>) after the picker.
const authorizeHops = (chain: string[]) => chain.filter(url => url.startsWith(stack.entra.authorityHost) && new URL(url).pathname.endsWith('/oauth2/v2.0/authorize'))

describe('no sign-in loops', () => {
  it('ends on /auth/error with the reason after two rounds when every session ends at once', async () => {
    // Tokens arrive already expired (as with clock skew) and Entra refuses every refresh.
    await entraControl(stack.entra, 'settings', { reportedExpiresInSeconds: 0 })
    await entraControl(stack.entra, `accounts/${accounts.megan.oid}/refuse-refresh`, { on: true })
    const { start, back } = await signIn(stack.app, accounts.megan)
    expect(back.url).toMatch(`${stack.app.url}/auth/error?error=SignInLoop`)
    expect(back.response.status).toBe(200)
    const page = await back.response.text()
    expect(page).toContain('Sign-in keeps ending at once')
    expect(page).toContain('Reason: RefreshAccessTokenError')
    // The picker round, then one silent round: two trips to Entra in all.
    expect(authorizeHops([...start.chain, ...back.chain])).toHaveLength(2)
  })

  it('lets "Try again" start afresh once the cause is gone', async () => {
    await entraControl(stack.entra, 'settings', { reportedExpiresInSeconds: 0 })
    await entraControl(stack.entra, `accounts/${accounts.megan.oid}/refuse-refresh`, { on: true })
    const { client, back } = await signIn(stack.app, accounts.megan)
    expect(back.url).toMatch('/auth/error?error=SignInLoop')
    await entraControl(stack.entra, 'settings', { reportedExpiresInSeconds: null })
    await entraControl(stack.entra, `accounts/${accounts.megan.oid}/refuse-refresh`, { on: false })
    const again = await client.follow(`${stack.app.url}/api/session/sign-in?callbackUrl=%2F&fresh=1`)
    expect(again.url).toBe(`${stack.app.url}/`)
    expect((await api(client, `${stack.app.url}/api/me`)).status).toBe(200)
  })
})

describe('Conditional Access claims challenge', () => {
  it('on refresh: one authorize redirect carrying the claims, back to the page, then signed in', async () => {
    const client = new HttpClient()
    await entraControl(stack.entra, 'settings', { accessTokenTtlSeconds: 2 })
    await signIn(stack.app, accounts.alex, client)
    await entraControl(stack.entra, 'settings', { accessTokenTtlSeconds: 3600 })
    await new Promise(resolve => setTimeout(resolve, 1100))
    await entraControl(stack.entra, `accounts/${accounts.alex.oid}/claims-challenge`, { on: true })

    const refused = await api(client, `${stack.app.url}/api/me`)
    expect(refused.status).toBe(401)
    expect(refused.json.data).toEqual({ reason: 'ClaimsChallenge' })

    // What the browser does next (useApi's endSession): sign in again, back to the chat it was on.
    const { url, chain } = await client.follow(`${stack.app.url}/api/session/sign-in?callbackUrl=%2Fchat`)
    const hops = authorizeHops(chain)
    expect(hops).toHaveLength(1)
    const claims = JSON.parse(new URL(hops[0]!).searchParams.get('claims')!)
    expect(claims.access_token.capolids.values).toEqual([`ca-${accounts.alex.oid}`])
    // The client capability rides along: this app handles claims challenges (CAE).
    expect(claims.access_token.xms_cc).toEqual({ values: ['cp1'] })
    expect(url).toBe(`${stack.app.url}/chat`)
    expect((await api(client, `${stack.app.url}/api/me`)).status).toBe(200)
  })
})

describe('client capabilities', () => {
  it('asks for cp1 (xms_cc) at sign-in, so Entra may issue revocable tokens and challenges', async () => {
    const { start } = await signIn(stack.app, accounts.lynne)
    const authorize = new URL(authorizeHops(start.chain)[0]!)
    expect(JSON.parse(authorize.searchParams.get('claims')!)).toEqual({ access_token: { xms_cc: { values: ['cp1'] } } })
  })
})
