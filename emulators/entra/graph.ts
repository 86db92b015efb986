import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { importJWK, jwtVerify } from 'jose'
import type { JWK } from 'jose'
import { findAccount, groups } from './accounts.ts'
import { photoOf } from './photo.ts'
import { claimsChallenge } from './state.ts'
import type { EmulatorState } from './state.ts'

// The tenant's named groups as an admin would have called them; generated ones are numbered.
const groupNames = new Map<string, string>([
  [groups.staff, 'All staff'],
  [groups.riskTeam, 'Risk team'],
  [groups.assistantAdmins, 'Assistant admins'],
])

// A stand-in for the two Microsoft Graph v1.0 calls the app makes with a user's delegated token
// (from the on-behalf-of grant): the 96x96 photo and the transitive group memberships, paged.

export const GRAPH_PREFIX = '/v1.0/'
const PAGE_SIZE = 100

export interface GraphOptions {
  state: EmulatorState
  signingKey: JWK
  /** Audiences a Graph token may carry: https://graph.microsoft.com and this emulator's own host. */
  resources: string[]
  issuers: string[]
  /** The emulator's own origin, for `@odata.nextLink`. */
  host: string
}

function graphError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  res.end(JSON.stringify({ error: { code, message, innerError: { 'date': new Date().toISOString(), 'request-id': crypto.randomUUID() } } }))
}

/** Graph's answer to a token Entra no longer stands behind (CAE) or a policy now challenges. */
function challenge(res: ServerResponse, oid: string, message: string): void {
  const claims = Buffer.from(claimsChallenge(oid)).toString('base64')
  graphError(res, 401, 'InvalidAuthenticationToken', message, {
    'www-authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="${claims}"`,
  })
}

export function createGraphHandler({ state, signingKey, resources, issuers, host }: GraphOptions) {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = signingKey
  const key = importJWK(publicJwk, 'RS256')

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://graph')
    const path = url.pathname.slice(GRAPH_PREFIX.length - 1)
    state.graphRequests[path] = (state.graphRequests[path] ?? 0) + 1
    const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
    if (!bearer) return graphError(res, 401, 'InvalidAuthenticationToken', 'Access token is empty.')
    let claims
    try {
      ({ payload: claims } = await jwtVerify(bearer, await key, { audience: resources, issuer: issuers, algorithms: ['RS256'] }))
    }
    catch (error) {
      return graphError(res, 401, 'InvalidAuthenticationToken', `Access token validation failure. ${(error as Error).message}`)
    }
    const account = findAccount(String(claims.oid))
    if (!account) return graphError(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.')
    const revokedAt = state.revokedAt.get(account.oid)
    if (revokedAt !== undefined && (claims.iat ?? 0) <= revokedAt) return challenge(res, account.oid, 'Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp')
    if (state.claimsChallenges.has(account.oid)) return challenge(res, account.oid, 'Continuous access evaluation resulted in challenge with result: InteractionRequired and code: Unknown')

    if (path === '/me/photos/96x96/$value') {
      if (!account.photo) return graphError(res, 404, 'ImageNotFound', 'Exception of type \'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException\' was thrown.')
      const photo = photoOf(account.oid)
      const etag = `W/"${createHash('sha256').update(photo).digest('hex').slice(0, 32)}"`
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag })
        return void res.end()
      }
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': photo.length, etag })
      return void res.end(photo)
    }
    if (path === '/me/transitiveMemberOf/microsoft.graph.group') {
      const skip = Number(url.searchParams.get('$skiptoken') ?? 0)
      const top = Math.min(Number(url.searchParams.get('$top') ?? PAGE_SIZE), 999)
      const page = account.groups.slice(skip, skip + top)
      const next = skip + top < account.groups.length ? new URL(req.url ?? '/', host) : undefined
      next?.searchParams.set('$skiptoken', String(skip + top))
      res.writeHead(200, { 'content-type': 'application/json; odata.metadata=minimal; charset=utf-8' })
      return void res.end(JSON.stringify({
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#directoryObjects(id,displayName)',
        ...(next ? { '@odata.nextLink': next.href } : {}),
        'value': page.map((id, i) => ({ '@odata.type': '#microsoft.graph.group', id, 'displayName': groupNames.get(id) ?? `Group ${skip + i + 1}` })),
      }))
    }
    graphError(res, 400, 'BadRequest', `Resource not found for the segment '${path.split('/')[2] ?? path}'.`)
  }
}
