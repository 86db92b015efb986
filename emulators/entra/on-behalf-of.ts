import { importJWK, jwtVerify, SignJWT } from 'jose'
import type { JWK } from 'jose'
import type Provider from 'oidc-provider'
import type { OidcKoaContext } from 'oidc-provider'
import type { Tenant } from './accounts.ts'
import { findAccount } from './accounts.ts'
import { DISABLED_DESCRIPTION } from './oidc-account.ts'
import { claimsChallenge } from './state.ts'
import type { EmulatorState } from './state.ts'

// Entra's on-behalf-of flow: an API that received a user's access token exchanges it for a token
// to another resource (here only Microsoft Graph) as that user. oidc-provider has no such grant.

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
export const GRAPH_SCOPES = 'User.Read GroupMember.Read.All'

export interface OnBehalfOfOptions {
  tenant: Tenant
  issuer: string
  signingKey: JWK
  state: EmulatorState
  /** What a Graph scope may be prefixed with: https://graph.microsoft.com and the emulator's host. */
  graphResources: string[]
}

function fail(ctx: OidcKoaContext, error: string, description: string, extra: Record<string, unknown> = {}): void {
  ctx.status = 400
  ctx.body = { error, error_description: description, ...extra }
}

export function registerOnBehalfOf(provider: Provider, { tenant, issuer, signingKey, state, graphResources }: OnBehalfOfOptions): void {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = signingKey
  const verifyKey = importJWK(publicJwk, 'RS256')
  const signKey = importJWK(signingKey, 'RS256')

  provider.registerGrantType(JWT_BEARER, async (ctx) => {
    const { assertion, scope, requested_token_use: use } = ctx.oidc.params as Record<string, string | undefined>
    const clientId = ctx.oidc.client!.clientId
    if (use !== 'on_behalf_of') return fail(ctx, 'invalid_request', 'AADSTS50027: Invalid JWT token. requested_token_use must be on_behalf_of.')
    const resource = graphResources.find(prefix => (scope ?? '').split(' ').every(item => item.startsWith(`${prefix}/`)))
    if (!resource) return fail(ctx, 'invalid_scope', `AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope ${scope ?? ''} is not valid.`)
    let claims
    try {
      ({ payload: claims } = await jwtVerify(assertion ?? '', await verifyKey, { audience: [clientId, `api://${clientId}`], issuer, algorithms: ['RS256'] }))
    }
    catch (error) {
      return fail(ctx, 'invalid_grant', `AADSTS50013: Assertion failed signature validation. (${(error as Error).message})`)
    }
    const account = findAccount(String(claims.oid))
    if (!account || account.tid !== tenant.id) return fail(ctx, 'invalid_grant', 'AADSTS50013: Assertion contains an invalid user.')
    if (state.disabledAccounts.has(account.oid)) return fail(ctx, 'invalid_grant', DISABLED_DESCRIPTION)
    const revokedAt = state.revokedAt.get(account.oid)
    if (revokedAt !== undefined && (claims.iat ?? 0) <= revokedAt) {
      return fail(ctx, 'invalid_grant', 'AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.')
    }
    if (state.claimsChallenges.has(account.oid)) {
      return fail(ctx, 'interaction_required', 'AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access \'00000003-0000-0000-c000-000000000000\'.', { suberror: 'basic_action', claims: claimsChallenge(account.oid) })
    }
    const ttl = state.accessTokenTtlSeconds
    const now = Math.floor(Date.now() / 1000)
    const accessToken = await new SignJWT({
      tid: tenant.id,
      oid: account.oid,
      name: account.name,
      preferred_username: account.email,
      scp: GRAPH_SCOPES,
      appid: clientId,
      ver: '1.0',
      ...(claims.xms_cc ? { xms_cc: claims.xms_cc } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(resource)
      .setSubject(account.oid)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + ttl)
      .sign(await signKey)
    ctx.body = { token_type: 'Bearer', scope: GRAPH_SCOPES, expires_in: ttl, ext_expires_in: ttl, access_token: accessToken }
  }, ['assertion', 'scope', 'requested_token_use'])
}
