import { createHash, randomBytes } from 'node:crypto'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accounts, groups, startEntraEmulator, tenants } from '../../emulators/entra/index.ts'
import type { EntraEmulator } from '../../emulators/entra/index.ts'
import { signIn } from '../../emulators/entra/testing.ts'

// The emulator's Microsoft Graph stand-in, the on-behalf-of grant that gives its tokens, and the
// directory claims (groups, overage, guests) in ID and access tokens.

const clientId = '6f4c1e2a-0000-4000-8000-00000000a552'
const clientSecret = 'emulator-secret'
const redirectUri = 'http://app.test/api/auth/callback/azure-ad'
const contoso = tenants.contoso.id

let emulator: EntraEmulator
beforeAll(async () => {
  emulator = await startEntraEmulator({ clients: [{ clientId, clientSecret, redirectUris: [redirectUri] }] })
})
afterAll(() => emulator?.close())

async function control(path: string, body: unknown) {
  const response = await fetch(`${emulator.authorityHost}/_emulator/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  expect(response.ok).toBe(true)
}

async function tokenRequest(params: Record<string, string>, authority = contoso) {
  const response = await fetch(`${emulator.authorityHost}/${authority}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, ...params }),
  })
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

/** ID and access token (for the app) of an account, by the authorization code flow. */
async function signInTokens(oid: string, authority = contoso) {
  const verifier = randomBytes(32).toString('base64url')
  const authorize = new URL(`${emulator.authorityHost}/${authority}/oauth2/v2.0/authorize`)
  authorize.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: `openid profile offline_access ${clientId}/access_as_user User.Read`,
    state: 's',
    nonce: 'n',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString()
  const back = await signIn(authorize, { account: oid })
  const { body } = await tokenRequest({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: redirectUri, code_verifier: verifier }, authority)
  return { idToken: body.id_token as string, accessToken: body.access_token as string }
}

async function graphToken(accessToken: string, scope = `${emulator.authorityHost}/.default`) {
  return tokenRequest({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', requested_token_use: 'on_behalf_of', assertion: accessToken, scope })
}

const graph = (path: string, token: string, headers: Record<string, string> = {}) =>
  fetch(`${emulator.authorityHost}/v1.0${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } })

describe('directory claims', () => {
  it('carry the groups in ID and access tokens, and mark members with acct 0', async () => {
    const { idToken, accessToken } = await signInTokens(accounts.adele.oid)
    expect(decodeJwt(idToken)).toMatchObject({ groups: [groups.staff, groups.assistantAdmins], acct: 0 })
    expect(decodeJwt(accessToken)).toMatchObject({ groups: [groups.staff, groups.assistantAdmins] })
  })

  it('point to Graph instead of listing 250 groups (overage)', async () => {
    const { idToken, accessToken } = await signInTokens(accounts.patti.oid)
    for (const claims of [decodeJwt(idToken), decodeJwt(accessToken)]) {
      expect(claims.groups).toBeUndefined()
      expect(claims._claim_names).toEqual({ groups: 'src1' })
    }
  })

  it('mark a B2B guest with acct 1 and the idp of the home tenant', async () => {
    const { idToken } = await signInTokens(accounts.pradeep.oid)
    expect(decodeJwt(idToken)).toMatchObject({ tid: contoso, acct: 1, idp: `https://sts.windows.net/${tenants.fabrikam.id}/` })
  })

  it('are served under the /organizations and /common authorities too', async () => {
    for (const authority of ['organizations', 'common']) {
      const discovery = await fetch(`${emulator.authorityHost}/${authority}/v2.0/.well-known/openid-configuration`)
      expect(discovery.status).toBe(200)
      expect((await discovery.json() as { token_endpoint: string }).token_endpoint).toContain(`/${authority}/oauth2/v2.0/token`)
    }
  })
})

describe('on-behalf-of and the Graph stand-in', () => {
  it('exchanges the app token for a Graph token and pages the overage groups with nextLink', async () => {
    const { accessToken } = await signInTokens(accounts.patti.oid)
    const obo = await graphToken(accessToken)
    expect(obo.status).toBe(200)
    expect(decodeJwt(obo.body.access_token as string)).toMatchObject({ aud: emulator.authorityHost, oid: accounts.patti.oid, scp: 'User.Read GroupMember.Read.All' })
    const ids: string[] = []
    let next: string | undefined = `${emulator.authorityHost}/v1.0/me/transitiveMemberOf/microsoft.graph.group?$select=id,displayName`
    let pages = 0
    while (next) {
      const response = await fetch(next, { headers: { authorization: `Bearer ${obo.body.access_token as string}` } })
      expect(response.status).toBe(200)
      const body = await response.json() as { 'value': { id: string }[], '@odata.nextLink'?: string }
      ids.push(...body.value.map(g => g.id))
      next = body['@odata.nextLink']
      pages += 1
    }
    expect(pages).toBe(3)
    expect(ids).toEqual(accounts.patti.groups)
  })

  it('serves a photo with an ETag (304 when unchanged), and 404 ImageNotFound without one', async () => {
    const adele = (await graphToken((await signInTokens(accounts.adele.oid)).accessToken)).body.access_token as string
    const photo = await graph('/me/photos/96x96/$value', adele)
    expect(photo.status).toBe(200)
    expect(photo.headers.get('content-type')).toBe('image/png')
    const etag = photo.headers.get('etag')!
    expect((await graph('/me/photos/96x96/$value', adele, { 'if-none-match': etag })).status).toBe(304)
    const megan = (await graphToken((await signInTokens(accounts.megan.oid)).accessToken)).body.access_token as string
    const none = await graph('/me/photos/96x96/$value', megan)
    expect(none.status).toBe(404)
    expect((await none.json() as { error: { code: string } }).error.code).toBe('ImageNotFound')
  })

  it('refuses a token that is not a Graph token', async () => {
    const { accessToken } = await signInTokens(accounts.alex.oid)
    const response = await graph('/me/transitiveMemberOf/microsoft.graph.group', accessToken)
    expect(response.status).toBe(401)
    expect((await response.json() as { error: { code: string } }).error.code).toBe('InvalidAuthenticationToken')
  })

  it('answers a claims challenge on OBO, refresh and Graph while a policy challenges the user', async () => {
    const verifierTokens = await signInTokens(accounts.lynne.oid)
    const graphBefore = (await graphToken(verifierTokens.accessToken)).body.access_token as string
    await control(`accounts/${accounts.lynne.oid}/claims-challenge`, { on: true })
    try {
      const obo = await graphToken(verifierTokens.accessToken)
      expect(obo.status).toBe(400)
      expect(obo.body).toMatchObject({ error: 'interaction_required', suberror: 'basic_action' })
      expect(JSON.parse(obo.body.claims as string).access_token.capolids.values).toEqual([`ca-${accounts.lynne.oid}`])
      const fromGraph = await graph('/me/transitiveMemberOf/microsoft.graph.group', graphBefore)
      expect(fromGraph.status).toBe(401)
      expect(fromGraph.headers.get('www-authenticate')).toMatch(/error="insufficient_claims", claims="[A-Za-z0-9+/=]+"/)
    }
    finally {
      await control(`accounts/${accounts.lynne.oid}/claims-challenge`, { on: false })
    }
  })

  it('ends Graph access for tokens issued before "revoke sessions" (continuous access evaluation)', async () => {
    const { accessToken } = await signInTokens(accounts.megan.oid)
    const before = (await graphToken(accessToken)).body.access_token as string
    await control(`accounts/${accounts.megan.oid}/revoke`, {})
    const response = await graph('/me/transitiveMemberOf/microsoft.graph.group', before)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toContain('insufficient_claims')
    expect((await graphToken(accessToken)).body).toMatchObject({ error: 'invalid_grant' })
  })
})
