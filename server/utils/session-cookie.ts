import { hkdfSync } from 'node:crypto'
import { jwtDecrypt } from 'jose'
import type { JWT } from 'next-auth/jwt'
import type { H3Event } from 'h3'

/** What our session cookie carries: ids and roles only; Entra's tokens stay in the database. */
export interface SessionToken extends JWT {
  sid: string
  uid: string
  roles: string[]
  error?: 'RefreshAccessTokenError' | 'SignInServiceUnavailable' | 'AccountDisabled'
}

export function useSecureCookies(): boolean {
  return useServerConfig().auth.origin.startsWith('https://')
}

export function sessionCookieName(): string {
  return `${useSecureCookies() ? '__Secure-' : ''}next-auth.session-token`
}

let sessionKey: Uint8Array | undefined

/**
 * next-auth's JWE key, derived once: its own decode() re-runs HKDF on every call, a tenth of the
 * CPU of an authenticated API request. Same derivation (HKDF-SHA256, empty salt, its info label).
 */
function sessionCookieKey(): Uint8Array {
  sessionKey ??= new Uint8Array(hkdfSync('sha256', useServerConfig().auth.secret, '', 'NextAuth.js Generated Encryption Key', 32))
  return sessionKey
}

/** Decodes the session cookie; a missing, tampered or truncated cookie is simply no session. */
export async function readSessionToken(event: H3Event): Promise<SessionToken | null> {
  const cookies = parseCookies(event)
  const name = sessionCookieName()
  // next-auth splits large cookies into .0, .1, …; ours stay small, but read both forms.
  const value = cookies[name] ?? Object.keys(cookies).filter(k => k.startsWith(`${name}.`)).sort().map(k => cookies[k]).join('')
  if (!value) return null
  try {
    const { payload: token } = await jwtDecrypt(value, sessionCookieKey(), { clockTolerance: 15, keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] })
    return typeof token.sid === 'string' && typeof token.uid === 'string' ? token as SessionToken : null
  }
  catch {
    return null
  }
}

export function clearSessionCookies(event: H3Event): void {
  const name = sessionCookieName()
  for (const key of Object.keys(parseCookies(event))) {
    if (key === name || key.startsWith(`${name}.`)) deleteCookie(event, key, { path: '/', secure: useSecureCookies(), httpOnly: true, sameSite: 'lax' })
  }
}
