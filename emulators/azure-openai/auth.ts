import type { IncomingHttpHeaders } from 'node:http'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import type { AuthKind } from './types.ts'

export interface AuthResult {
  kind: AuthKind
  ok: boolean
}

/** `apiKey`: the key of the deployment asked for, when it has its own. */
export type Authenticator = (headers: IncomingHttpHeaders, apiKey?: string) => Promise<AuthResult>

// The audience Azure OpenAI accepts for Entra tokens (scope https://cognitiveservices.azure.com/.default).
const AUDIENCE = 'https://cognitiveservices.azure.com'

export function createAuthenticator(options: {
  apiKey: string
  entra?: { jwksUrl: string, issuerPrefix: string }
}): Authenticator {
  const entra = options.entra
  // jose caches the key set and refetches on unknown kid, like a real resource server.
  const jwks = entra ? createRemoteJWKSet(new URL(entra.jwksUrl)) : null

  async function bearerIsValid(token: string): Promise<boolean> {
    if (!entra || !jwks) return false
    try {
      const { payload } = await jwtVerify(token, jwks, {
        audience: AUDIENCE,
        algorithms: ['RS256'],
        requiredClaims: ['exp', 'iss'],
      })
      return typeof payload.iss === 'string' && payload.iss.startsWith(entra.issuerPrefix)
    }
    catch {
      return false
    }
  }

  return async (headers, apiKey = options.apiKey) => {
    const key = headers['api-key']
    if (typeof key === 'string') return { kind: 'api-key', ok: key === apiKey }
    const authorization = headers.authorization
    if (typeof authorization === 'string' && /^bearer\s+/i.test(authorization)) {
      return { kind: 'bearer', ok: await bearerIsValid(authorization.replace(/^bearer\s+/i, '').trim()) }
    }
    return { kind: 'none', ok: false }
  }
}
