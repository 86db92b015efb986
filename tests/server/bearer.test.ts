import { importJWK, SignJWT, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSigningKey } from '../../emulators/entra/index.ts'
import { accessTokenFor as realAccessToken } from '../support/admin'
import { HttpClient } from '../support/http-client'
import { accounts, api, CLIENT_ID, CLIENT_SECRET, startStack, tenants, type Stack } from '../support/stack'

let stack: Stack
let key: JWK

beforeAll(async () => {
  key = await createSigningKey()
  stack = await startStack({ signingKey: key })
})
afterAll(async () => {
  await stack?.stop()
})

function accessTokenFor(account: { oid: string, tid: string }) {
  return realAccessToken(stack, account)
}

/** A token signed with the emulator's own (trusted) key, with claims a test chooses. */
async function forge(overrides: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000)
  const tid = tenants.contoso.id
  const claims = {
    ver: '2.0',
    iss: `${stack.entra.authorityHost}/${tid}/v2.0`,
    aud: CLIENT_ID,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3600,
    tid,
    oid: accounts.alex.oid,
    scp: 'access_as_user',
    name: 'Alex Wilber',
    ...overrides,
  }
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...header })
    .sign(await importJWK(key, 'RS256'))
}

function unsigned(claims: Record<string, unknown>) {
  const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`
}

async function hs256WithClientSecret() {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ ver: '2.0', tid: tenants.contoso.id, oid: accounts.alex.oid })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(`${stack.entra.authorityHost}/${tenants.contoso.id}/v2.0`)
    .setAudience(CLIENT_ID)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(CLIENT_SECRET))
}

async function withBearer(token: string) {
  return api(new HttpClient(), `${stack.app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })
}

describe('bearer tokens for scripts and services', () => {
  it('accepts a real Entra access token for this app and maps it to the same user row', async () => {
    const token = await accessTokenFor(accounts.megan)
    const viaToken = await withBearer(token)
    expect(viaToken.status).toBe(200)
    expect(viaToken.json).toMatchObject({ name: 'Megan Bowen', email: 'megan.bowen@contoso.com' })
    const again = await withBearer(token)
    expect(again.json.id).toBe(viaToken.json.id)
  })

  it('accepts a token with the api:// audience form', async () => {
    expect((await withBearer(await forge({ aud: `api://${CLIENT_ID}` }))).status).toBe(200)
  })

  it.each([
    ['a wrong audience', () => forge({ aud: 'https://cognitiveservices.azure.com' })],
    ['a wrong issuer', () => forge({ iss: `https://login.microsoftonline.com/${tenants.contoso.id}/v2.0` })],
    ['another tenant', () => forge({ tid: tenants.fabrikam.id, iss: `${stack.entra.authorityHost}/${tenants.fabrikam.id}/v2.0` })],
    ['a real token from another tenant', () => accessTokenFor(accounts.isaiah)],
    ['an expired token', () => forge({ exp: Math.floor(Date.now() / 1000) - 120 })],
    ['a token not yet valid', () => forge({ nbf: Math.floor(Date.now() / 1000) + 600 })],
    ['alg none', async () => unsigned({ ver: '2.0', tid: tenants.contoso.id, oid: accounts.alex.oid, aud: CLIENT_ID, iss: `${stack.entra.authorityHost}/${tenants.contoso.id}/v2.0`, exp: Math.floor(Date.now() / 1000) + 3600 })],
    ['HS256 signed with the client secret', hs256WithClientSecret],
    ['a token without an oid', () => forge({ oid: undefined })],
    ['a garbled token', async () => 'eyJhbGciOi.garbled.token'],
  ])('refuses %s with 401', async (_, make) => {
    const response = await withBearer(await make())
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(response.json.message).toBe('The access token is not valid for this application.')
  })

  it('refuses a malformed Authorization header', async () => {
    const response = await api(new HttpClient(), `${stack.app.url}/api/me`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } })
    expect(response.status).toBe(401)
  })
})
