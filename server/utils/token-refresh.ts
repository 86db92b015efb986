import { z } from 'zod'

const tokenResponse = z.object({
  access_token: z.string(),
  expires_in: z.coerce.number(),
  refresh_token: z.string().optional(),
})

export type RefreshResult
  = | { outcome: 'refreshed', accessToken: string, refreshToken?: string, expiresAt: Date, issuedAt: Date }
    | { outcome: 'rejected', reason: string, claims?: string }

// OIDC scopes and scopes of a named resource: a refresh asks for one resource only (Entra refuses
// several, AADSTS28000), so the bare Graph consent scopes of sign-in (User.Read) stay out.
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access'])

export function refreshScope(scope: string): string {
  return scope.split(' ').filter(item => OIDC_SCOPES.has(item) || item.includes('/')).join(' ')
}

/**
 * The Azure AD recipe's refreshAccessToken: grant_type=refresh_token against the discovered token
 * endpoint. A refusal from Entra (revoked, reused, user disabled) is `rejected`; an unreachable
 * Entra throws EntraUnavailableError so the session survives the outage.
 */
export async function refreshAccessToken(refreshToken: string): Promise<RefreshResult> {
  const { azureAd } = useServerConfig()
  const { token_endpoint } = await getEntraDiscovery()
  let response: Response
  try {
    response = await fetch(token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: azureAd.clientId,
        client_secret: azureAd.clientSecret,
        refresh_token: refreshToken,
        scope: refreshScope(azureAd.scope),
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
    const description = typeof body.error_description === 'string' ? body.error_description.split('\n')[0] : ''
    return {
      outcome: 'rejected',
      reason: `${body.error ?? response.status}${description ? `: ${description}` : ''}`,
      // interaction_required / insufficient_claims with the Conditional Access challenge to answer.
      ...(typeof body.claims === 'string' ? { claims: body.claims } : {}),
    }
  }
  const tokens = tokenResponse.parse(body)
  return {
    outcome: 'refreshed',
    accessToken: tokens.access_token,
    // Entra may not rotate: keep using the old refresh token when none comes back.
    refreshToken: tokens.refresh_token,
    expiresAt: new Date(Date.now() + tokens.expires_in * 1000),
    issuedAt: new Date(),
  }
}
