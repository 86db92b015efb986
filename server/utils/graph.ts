import { z } from 'zod'

// Microsoft Graph as the signed-in user. Our session holds an access token for this app (its
// audience is our client id), so Graph tokens come from Entra's on-behalf-of grant with it:
// no second refresh-token rotation, and the same path serves bearer callers.

/** Entra or Graph asked for more than a silent token can give (step-up, compliant device, CAE). */
export class ClaimsChallengeError extends Error {
  constructor(readonly claims: string, source: string) {
    super(`${source} answered with a Conditional Access claims challenge`)
    this.name = 'ClaimsChallengeError'
  }
}

/** Entra refused to act for the user at all (revoked sessions, disabled account). */
export class GraphRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`Microsoft Graph access was refused: ${reason}`)
    this.name = 'GraphRefusedError'
  }
}

const oboResponse = z.object({ access_token: z.string() })

function graphScope(): string {
  return `${useServerConfig().azureAd.graphUrl}/.default`
}

/** A Graph token for the user whose access token (for this app) we hold. */
export async function graphTokenFor(userAccessToken: string): Promise<string> {
  const { azureAd } = useServerConfig()
  const { token_endpoint } = await getEntraDiscovery()
  let response: Response
  try {
    response = await fetch(token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        requested_token_use: 'on_behalf_of',
        client_id: azureAd.clientId,
        client_secret: azureAd.clientSecret,
        assertion: userAccessToken,
        scope: graphScope(),
        claims: claimsParameter(),
      }),
      signal: AbortSignal.timeout(10_000),
    })
  }
  catch (error) {
    throw new EntraUnavailableError(error)
  }
  if (response.status >= 500) throw new EntraUnavailableError(new Error(`token endpoint answered ${response.status}`))
  const body = await response.json().catch(() => ({})) as Record<string, unknown>
  if (!response.ok) {
    if (typeof body.claims === 'string') throw new ClaimsChallengeError(body.claims, 'Entra (on-behalf-of)')
    const description = typeof body.error_description === 'string' ? body.error_description.split('\n')[0]!.split(' Trace ID')[0] : ''
    throw new GraphRefusedError(`${String(body.error ?? response.status)}${description ? `: ${description}` : ''}`)
  }
  return oboResponse.parse(body).access_token
}

/** The `claims` of a `WWW-Authenticate: Bearer ... error="insufficient_claims", claims="<base64>"`. */
function challengeOf(response: Response): string | undefined {
  const header = response.headers.get('www-authenticate') ?? ''
  if (!/error="?(insufficient_claims|interaction_required)/.test(header)) return undefined
  const encoded = /claims="([^"]+)"/.exec(header)?.[1]
  return encoded ? Buffer.from(encoded, 'base64').toString('utf8') : undefined
}

/** GET on Graph v1.0; answers the Response, having turned challenges and refusals into errors. */
export async function graphGet(path: string, graphToken: string, headers: Record<string, string> = {}): Promise<Response> {
  const url = path.startsWith('https://') || path.startsWith('http://') ? path : `${useServerConfig().azureAd.graphUrl}/v1.0${path}`
  let response: Response
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${graphToken}`, ...headers }, signal: AbortSignal.timeout(10_000) })
  }
  catch (error) {
    throw new EntraUnavailableError(error)
  }
  if (response.status === 401) {
    const claims = challengeOf(response)
    if (claims) throw new ClaimsChallengeError(claims, 'Microsoft Graph')
    throw new GraphRefusedError(`Graph answered 401 to ${path.split('?')[0]}`)
  }
  if (response.status >= 500 || response.status === 429) throw new EntraUnavailableError(new Error(`Graph answered ${response.status}`))
  return response
}
