import { createHash, randomBytes } from 'node:crypto'
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose'
import type { JWTPayload } from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { accounts, startEntraEmulator, tenants } from '../../emulators/entra/index.ts'
import type { EntraEmulator } from '../../emulators/entra/index.ts'
import { CookieJar, fetchWithCookies, parseAccountPicker, signIn } from '../../emulators/entra/testing.ts'

const clientId = '6f4c1e2a-0000-4000-8000-00000000a551'
const clientSecret = 'emulator-secret'
const redirectUri = 'http://app.test/api/auth/callback/azure-ad'
const postLogoutRedirectUri = 'http://app.test/signed-out'
const appScope = `${clientId}/access_as_user`
const fullScope = `openid profile email offline_access ${appScope}`
const contoso = tenants.contoso.id
const fabrikam = tenants.fabrikam.id

let emulator: EntraEmulator

beforeAll(async () => {
  emulator = await startEntraEmulator({
    clients: [{ clientId, clientSecret, redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutRedirectUri] }],
  })
})
afterAll(() => emulator?.close())
beforeEach(() => control('POST', 'stats/reset'))

const tenantUrl = (tid: string, path: string) => `${emulator.authorityHost}/${tid}${path}`

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${emulator.authorityHost}/_emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  expect(response.ok).toBe(true)
  return response.json()
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

function authorizeUrl(tid: string, params: Record<string, string> = {}) {
  const url = new URL(tenantUrl(tid, '/oauth2/v2.0/authorize'))
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: fullScope,
    state: 'the-state',
    nonce: 'the-nonce',
    code_challenge_method: 'S256',
    ...params,
  }).toString()
  return url
}

async function token(tid: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(tenantUrl(tid, '/oauth2/v2.0/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  })
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

/** Signs `oid` in with the code flow and redeems the code: what next-auth does. */
async function signInAndRedeem(oid: string, tid = contoso, jar = new CookieJar(), params: Record<string, string> = {}) {
  const { verifier, challenge } = pkce()
  const callback = await signIn(authorizeUrl(tid, { code_challenge: challenge, ...params }), { account: oid, jar })
  const code = callback.searchParams.get('code')
  expect(code, callback.href).toBeTruthy()
  const { status, body } = await token(tid, {
    grant_type: 'authorization_code',
    code: code!,
    redirect_uri: redirectUri,
    code_verifier: verifier,
    client_id: clientId,
    client_secret: clientSecret,
  })
  expect(status, JSON.stringify(body)).toBe(200)
  return { callback, tokens: body as Record<string, string | number>, jar }
}

function refresh(tid: string, refreshToken: string) {
  const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64')
  return token(tid, { grant_type: 'refresh_token', refresh_token: refreshToken, scope: fullScope }, { authorization: `Basic ${basic}` })
}

async function verify(jwt: string, tid: string, audience: string): Promise<JWTPayload> {
  const discovery = await (await fetch(tenantUrl(tid, '/v2.0/.well-known/openid-configuration'))).json() as { jwks_uri: string, issuer: string }
  const { payload, protectedHeader } = await jwtVerify(jwt, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
    issuer: discovery.issuer,
    audience,
    algorithms: ['RS256'],
  })
  expect(protectedHeader.kid).toBeTruthy()
  return payload
}

function expectEntraError(body: Record<string, unknown>, error: string, code: number) {
  expect(body.error).toBe(error)
  expect(body.error_description).toMatch(new RegExp(`^AADSTS${code}:`))
  expect(body.error_codes).toEqual([code])
}

describe('discovery', () => {
  it.each([['Contoso', contoso], ['Fabrikam', fabrikam]])('serves %s under its own v2.0 issuer', async (_name, tid) => {
    const response = await fetch(tenantUrl(tid, '/v2.0/.well-known/openid-configuration'))
    expect(response.status).toBe(200)
    const metadata = await response.json()
    const base = `${emulator.authorityHost}/${tid}`
    expect(metadata).toMatchObject({
      issuer: `${base}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['RS256'],
    })
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']))
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']))

    const jwks = await (await fetch(metadata.jwks_uri)).json()
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) })])
    expect(jwks.keys[0].d).toBeUndefined()
  })

  it('answers an unknown tenant with AADSTS90002', async () => {
    const response = await fetch(`${emulator.authorityHost}/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration`)
    expect(response.status).toBe(400)
    expect((await response.json()).error_codes).toEqual([90002])
  })
})

describe('authorization code flow', () => {
  it('shows an account picker of the tenant\'s accounts only', async () => {
    const jar = new CookieJar()
    const start = await fetchWithCookies(authorizeUrl(contoso, { code_challenge: pkce().challenge }), jar)
    expect(start.status).toBe(303)
    const picker = await fetchWithCookies(new URL(start.headers.get('location')!, start.url), jar)
    expect(picker.status).toBe(200)
    const html = await picker.text()
    expect(html).toContain('<title>Sign in - Entra ID emulator</title>')
    expect(html).toContain('local emulator')
    const form = parseAccountPicker(html)
    const contosoOids = Object.values(accounts).filter(account => account.tid === contoso).map(account => account.oid)
    expect(form?.accounts.sort()).toEqual(contosoOids.sort())
    expect(form?.accounts).not.toContain(accounts.isaiah.oid)
    expect(html).toContain(accounts.adele.email)
  })

  it('redirects back with code, state and no consent page, and issues Entra-shaped tokens', async () => {
    const { callback, tokens } = await signInAndRedeem(accounts.adele.oid)
    expect(callback.origin + callback.pathname).toBe(redirectUri)
    expect(callback.searchParams.get('state')).toBe('the-state')
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, refresh_token: expect.any(String) })

    const idToken = await verify(tokens.id_token as string, contoso, clientId)
    expect(idToken).toMatchObject({
      ver: '2.0',
      iss: `${emulator.authorityHost}/${contoso}/v2.0`,
      aud: clientId,
      oid: accounts.adele.oid,
      tid: contoso,
      name: accounts.adele.name,
      preferred_username: accounts.adele.email,
      email: accounts.adele.email,
      roles: ['Admin'],
      nonce: 'the-nonce',
    })
    expect(idToken.sub).not.toBe(accounts.adele.oid)
    expect(idToken.sub).toBe(createHash('sha256').update(clientId + accounts.adele.oid).digest('base64url'))

    const accessToken = await verify(tokens.access_token as string, contoso, clientId)
    expect(accessToken).toMatchObject({
      ver: '2.0',
      iss: `${emulator.authorityHost}/${contoso}/v2.0`,
      aud: clientId,
      azp: clientId,
      scp: 'access_as_user',
      oid: accounts.adele.oid,
      tid: contoso,
      roles: ['Admin'],
      preferred_username: accounts.adele.email,
      name: accounts.adele.name,
    })
    expect(accessToken.exp! - accessToken.iat!).toBe(3600)
    expect(accessToken.nbf).toBe(accessToken.iat)
  })

  it('signs in a Fabrikam user with Fabrikam\'s issuer and tid', async () => {
    const { tokens } = await signInAndRedeem(accounts.isaiah.oid, fabrikam)
    const idToken = await verify(tokens.id_token as string, fabrikam, clientId)
    expect(idToken).toMatchObject({ tid: fabrikam, oid: accounts.isaiah.oid, iss: `${emulator.authorityHost}/${fabrikam}/v2.0` })
    expect(idToken.roles).toBeUndefined()
  })

  it('requires PKCE with S256', async () => {
    const missing = await signIn(authorizeUrl(contoso, { code_challenge_method: '' }))
    expect(missing.searchParams.get('error')).toBe('invalid_request')
    const plain = await signIn(authorizeUrl(contoso, { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }))
    expect(plain.searchParams.get('error')).toBe('invalid_request')
  })

  it('rejects a wrong code_verifier and a second redemption of a code', async () => {
    const { challenge, verifier } = pkce()
    const callback = await signIn(authorizeUrl(contoso, { code_challenge: challenge }), { account: accounts.megan.oid })
    const redeem = (codeVerifier: string) => token(contoso, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: redirectUri,
      code_verifier: codeVerifier,
      client_id: clientId,
      client_secret: clientSecret,
    })
    const wrong = await redeem(pkce().verifier)
    expectEntraError(wrong.body, 'invalid_grant', 501481)
    expect((await redeem(verifier)).status).toBe(200)
    expectEntraError((await redeem(verifier)).body, 'invalid_grant', 54005)
  })

  it('rejects a wrong client secret like Entra', async () => {
    const { status, body } = await token(contoso, { grant_type: 'client_credentials', scope: 'https://cognitiveservices.azure.com/.default', client_id: clientId, client_secret: 'wrong' })
    expect(status).toBe(401)
    expectEntraError(body, 'invalid_client', 7000215)
  })
})

describe('refresh tokens', () => {
  it('rotate on every refresh and a used one is dead', async () => {
    const { tokens } = await signInAndRedeem(accounts.megan.oid)
    const first = await refresh(contoso, tokens.refresh_token as string)
    expect(first.status).toBe(200)
    expect(first.body.refresh_token).toEqual(expect.any(String))
    expect(first.body.refresh_token).not.toBe(tokens.refresh_token)
    expect(decodeJwt(first.body.access_token as string)).toMatchObject({ aud: clientId, scp: 'access_as_user', oid: accounts.megan.oid })
    expect(decodeJwt(first.body.id_token as string)).toMatchObject({ oid: accounts.megan.oid, aud: clientId })

    const reused = await refresh(contoso, tokens.refresh_token as string)
    expect(reused.status).toBe(400)
    expectEntraError(reused.body, 'invalid_grant', 70008)
    // Reuse is treated as theft: the whole grant dies, the token rotated in its place too.
    expectEntraError((await refresh(contoso, first.body.refresh_token as string)).body, 'invalid_grant', 70008)
  })

  it('issue offline_access refresh tokens without prompt=consent, and none without offline_access', async () => {
    const { verifier, challenge } = pkce()
    const callback = await signIn(authorizeUrl(contoso, { code_challenge: challenge, scope: `openid profile ${appScope}` }), { account: accounts.alex.oid })
    const { body } = await token(contoso, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      client_id: clientId,
      client_secret: clientSecret,
    })
    expect(body.access_token).toEqual(expect.any(String))
    expect(body.refresh_token).toBeUndefined()
  })

  it('use the access token lifetime set at run time', async () => {
    const { tokens } = await signInAndRedeem(accounts.lynne.oid)
    await control('POST', 'settings', { accessTokenTtlSeconds: 120 })
    try {
      const refreshed = await refresh(contoso, tokens.refresh_token as string)
      expect(refreshed.body.expires_in).toBe(120)
      const claims = decodeJwt(refreshed.body.access_token as string)
      expect(claims.exp! - claims.iat!).toBe(120)
    }
    finally {
      await control('POST', 'settings', { accessTokenTtlSeconds: 3600 })
    }
  })
})

describe('stats', () => {
  it('count token requests per grant type, failures included', async () => {
    const { tokens } = await signInAndRedeem(accounts.megan.oid)
    await refresh(contoso, tokens.refresh_token as string)
    await refresh(contoso, tokens.refresh_token as string)
    await token(contoso, { grant_type: 'client_credentials', scope: 'https://cognitiveservices.azure.com/.default', client_id: clientId, client_secret: clientSecret })
    expect(await control('GET', 'stats')).toEqual({ tokenRequests: { authorization_code: 1, refresh_token: 2, client_credentials: 1 } })
    await control('POST', 'stats/reset')
    expect(await control('GET', 'stats')).toEqual({ tokenRequests: { authorization_code: 0, refresh_token: 0, client_credentials: 0 } })
  })
})

describe('account controls', () => {
  it('disable blocks refresh and sign-in with AADSTS50057 until enabled again', async () => {
    const jar = new CookieJar()
    const { tokens } = await signInAndRedeem(accounts.alex.oid, contoso, jar)
    await control('POST', `accounts/${accounts.alex.oid}/disable`)
    try {
      const refreshed = await refresh(contoso, tokens.refresh_token as string)
      expectEntraError(refreshed.body, 'invalid_grant', 50057)

      // Silent sign-in with the browser session of the now disabled user.
      const silent = await signIn(authorizeUrl(contoso, { code_challenge: pkce().challenge, prompt: 'none' }), { jar })
      expect(silent.searchParams.get('error')).toBe('invalid_grant')
      expect(silent.searchParams.get('error_description')).toMatch(/^AADSTS50057:/)

      const picked = await signIn(authorizeUrl(contoso, { code_challenge: pkce().challenge }), { account: accounts.alex.oid, jar })
      expect(picked.searchParams.get('error')).toBe('invalid_grant')
      expect(picked.searchParams.get('error_description')).toMatch(/^AADSTS50057:/)
    }
    finally {
      await control('POST', `accounts/${accounts.alex.oid}/enable`)
    }
    await signInAndRedeem(accounts.alex.oid, contoso, jar)
  })

  it('revoke kills every refresh token and the browser session with AADSTS50173', async () => {
    const jar = new CookieJar()
    const { tokens } = await signInAndRedeem(accounts.lynne.oid, contoso, jar)
    const other = await signInAndRedeem(accounts.lynne.oid)
    const result = await control('POST', `accounts/${accounts.lynne.oid}/revoke`)
    expect(result.revokedGrants).toBeGreaterThanOrEqual(1)
    for (const refreshToken of [tokens.refresh_token, other.tokens.refresh_token]) {
      const refreshed = await refresh(contoso, refreshToken as string)
      expectEntraError(refreshed.body, 'invalid_grant', 50173)
    }
    const silent = await signIn(authorizeUrl(contoso, { code_challenge: pkce().challenge, prompt: 'none' }), { jar })
    expect(silent.searchParams.get('error')).toBe('login_required')
  })

  it('404s an unknown account', async () => {
    const response = await fetch(`${emulator.authorityHost}/_emulator/accounts/nobody/disable`, { method: 'POST' })
    expect(response.status).toBe(404)
  })
})

describe('prompts and sessions', () => {
  it('prompt=none without a session redirects with login_required and AADSTS50058', async () => {
    const callback = await signIn(authorizeUrl(contoso, { code_challenge: pkce().challenge, prompt: 'none' }))
    expect(callback.origin + callback.pathname).toBe(redirectUri)
    expect(callback.searchParams.get('error')).toBe('login_required')
    expect(callback.searchParams.get('error_description')).toMatch(/^AADSTS50058:/)
    expect(callback.searchParams.get('state')).toBe('the-state')
  })

  it('prompt=none with a session signs in silently; login and select_account show the picker', async () => {
    const { jar } = await signInAndRedeem(accounts.megan.oid)
    const silent = await signIn(authorizeUrl(contoso, { code_challenge: pkce().challenge, prompt: 'none' }), { jar })
    expect(silent.searchParams.get('code')).toBeTruthy()
    for (const prompt of ['login', 'select_account']) {
      await expect(signIn(authorizeUrl(contoso, { code_challenge: pkce().challenge, prompt }), { jar })).rejects.toThrow(/needs an account/)
      const switched = await signIn(authorizeUrl(contoso, { code_challenge: pkce().challenge, prompt }), { jar, account: accounts.adele.oid })
      expect(switched.searchParams.get('code')).toBeTruthy()
    }
  })

  it('switching accounts in the picker keeps the previous user\'s refresh token alive', async () => {
    const { jar, tokens } = await signInAndRedeem(accounts.megan.oid)
    const { tokens: adele } = await signInAndRedeem(accounts.adele.oid, contoso, jar, { prompt: 'select_account' })
    expect(decodeJwt(adele.id_token as string).oid).toBe(accounts.adele.oid)
    expect((await refresh(contoso, tokens.refresh_token as string)).status).toBe(200)
    const silent = await signIn(authorizeUrl(contoso, { code_challenge: pkce().challenge, prompt: 'none' }), { jar })
    expect(silent.searchParams.get('code')).toBeTruthy()
  })

  it('prompt=consent is granted without a page', async () => {
    const callback = await signIn(authorizeUrl(contoso, { code_challenge: pkce().challenge, prompt: 'consent' }), { account: accounts.megan.oid })
    expect(callback.searchParams.get('code')).toBeTruthy()
  })

  it('end session signs out and redirects without a confirmation page', async () => {
    const { jar, tokens } = await signInAndRedeem(accounts.megan.oid)
    const logout = new URL(tenantUrl(contoso, '/oauth2/v2.0/logout'))
    logout.search = new URLSearchParams({ post_logout_redirect_uri: postLogoutRedirectUri, client_id: clientId, state: 'bye' }).toString()
    const response = await fetchWithCookies(logout, jar)
    expect(response.status).toBe(302)
    const target = new URL(response.headers.get('location')!)
    expect(target.origin + target.pathname).toBe(postLogoutRedirectUri)
    expect(target.searchParams.get('state')).toBe('bye')

    const silent = await signIn(authorizeUrl(contoso, { code_challenge: pkce().challenge, prompt: 'none' }), { jar })
    expect(silent.searchParams.get('error')).toBe('login_required')
    // Like Entra, signing out of the browser does not revoke the app's refresh token.
    expect((await refresh(contoso, tokens.refresh_token as string)).status).toBe(200)
  })

  it('end session accepts an id_token_hint or a bare registered post_logout_redirect_uri', async () => {
    const { jar, tokens } = await signInAndRedeem(accounts.megan.oid)
    const withHint = new URL(tenantUrl(contoso, '/oauth2/v2.0/logout'))
    withHint.search = new URLSearchParams({ post_logout_redirect_uri: postLogoutRedirectUri, id_token_hint: tokens.id_token as string }).toString()
    const hinted = await fetchWithCookies(withHint, jar)
    expect(hinted.status).toBe(302)
    expect(hinted.headers.get('location')).toBe(postLogoutRedirectUri)

    const bare = new URL(tenantUrl(contoso, '/oauth2/v2.0/logout'))
    bare.search = new URLSearchParams({ post_logout_redirect_uri: postLogoutRedirectUri }).toString()
    const response = await fetchWithCookies(bare, new CookieJar())
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe(postLogoutRedirectUri)
  })
})

describe('client credentials', () => {
  it('issues an app token for Azure OpenAI', async () => {
    const { status, body } = await token(contoso, { grant_type: 'client_credentials', scope: 'https://cognitiveservices.azure.com/.default', client_id: clientId, client_secret: clientSecret })
    expect(status).toBe(200)
    expect(body.expires_in).toBe(3600)
    const claims = await verify(body.access_token as string, contoso, 'https://cognitiveservices.azure.com')
    expect(claims).toMatchObject({ ver: '2.0', tid: contoso, appid: clientId, azp: clientId, idtyp: 'app', oid: expect.any(String) })
    expect(claims.sub).toBe(claims.oid)
    expect(claims.scp).toBeUndefined()
  })

  it('insists on a /.default scope', async () => {
    const { status, body } = await token(contoso, { grant_type: 'client_credentials', scope: 'https://cognitiveservices.azure.com/user_impersonation', client_id: clientId, client_secret: clientSecret })
    expect(status).toBe(400)
    expectEntraError(body, 'invalid_scope', 1002012)
  })
})

describe('outage', () => {
  it('drops every OIDC connection while on, counting nothing, controls still answering', async () => {
    await control('POST', 'outage', { on: true })
    try {
      await expect(fetch(tenantUrl(contoso, '/v2.0/.well-known/openid-configuration'))).rejects.toThrow()
      await expect(token(contoso, { grant_type: 'client_credentials', scope: 'https://cognitiveservices.azure.com/.default', client_id: clientId, client_secret: clientSecret })).rejects.toThrow()
      expect(await control('GET', 'stats')).toEqual({ tokenRequests: { authorization_code: 0, refresh_token: 0, client_credentials: 0 } })
    }
    finally {
      await control('POST', 'outage', { on: false })
    }
    expect((await fetch(tenantUrl(contoso, '/v2.0/.well-known/openid-configuration'))).status).toBe(200)
  })
})

describe('the browser\'s extras', () => {
  it('serves a favicon, linked from its pages', async () => {
    for (const path of ['/favicon.ico', '/favicon.svg']) {
      const response = await fetch(`${emulator.authorityHost}${path}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('image/svg+xml')
      expect(await response.text()).toContain('<svg')
    }
  })
})
