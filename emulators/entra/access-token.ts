import { randomUUID } from 'node:crypto'
import type { IssuedToken, KoaContext } from 'oidc-provider'
import { directoryClaims, findAccount } from './accounts.ts'
import { servicePrincipalId } from './identity.ts'
import { scpClaim } from './resources.ts'

interface StructuredToken {
  header?: Record<string, unknown>
  payload: Record<string, unknown>
}

/**
 * Rewrites oidc-provider's RFC 9068 access token into Entra's v2.0 shape: `scp` instead of
 * `scope`, `oid`/`tid`/`roles`, `azp`, `ver`, and app-only tokens (client credentials) that
 * identify the service principal instead of a user.
 */
export function entraAccessTokenCustomizer(tid: string, graphHost: string) {
  return (_ctx: KoaContext, token: IssuedToken, jwt: StructuredToken): void => {
    const { aud, iss, iat, exp, sub, jti } = jwt.payload
    const common = { aud, iss, iat, nbf: iat, exp, tid, ver: '2.0', azp: token.clientId, azpacr: '1', uti: jti ?? randomUUID() }
    const account = token.accountId ? findAccount(token.accountId) : undefined
    jwt.header = { typ: 'JWT' }
    if (!account) {
      const oid = servicePrincipalId(tid, token.clientId)
      jwt.payload = { ...common, sub: oid, oid, appid: token.clientId, appidacr: '1', idtyp: 'app' }
      return
    }
    jwt.payload = {
      ...common,
      sub,
      oid: account.oid,
      name: account.name,
      preferred_username: account.email,
      ...(account.roles.length ? { roles: account.roles } : {}),
      ...directoryClaims(account, graphHost),
      scp: scpClaim(token.scope, aud),
    }
  }
}
