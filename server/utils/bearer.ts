import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose'

let jwks: { url: string, set: ReturnType<typeof createRemoteJWKSet> } | undefined

function keySet(url: string) {
  if (jwks?.url !== url) jwks = { url, set: createRemoteJWKSet(new URL(url), { timeoutDuration: 10_000 }) }
  return jwks.set
}

/**
 * Verifies an Entra access token issued for this app: signature against the tenant's JWKS (RS256
 * only, so `alg: none` and HS256 tricks fail), audience, issuer for an allowed tenant, exp/nbf.
 * Returns null for anything else, never trusting a token on its shape.
 */
export async function verifyEntraAccessToken(token: string): Promise<(JWTPayload & EntraClaims) | null> {
  const { azureAd } = useServerConfig()
  const { jwks_uri } = await getEntraDiscovery()
  try {
    const { payload } = await jwtVerify<EntraClaims>(token, keySet(jwks_uri), {
      algorithms: ['RS256'],
      audience: [azureAd.clientId, `api://${azureAd.clientId}`],
      clockTolerance: 30,
      requiredClaims: ['exp', 'iss', 'tid', 'oid'],
    })
    if (!isTenantAllowed(payload.tid)) return null
    if (payload.iss !== `${azureAd.authorityHost}/${payload.tid}/v2.0`) return null
    return payload
  }
  catch {
    return null
  }
}
