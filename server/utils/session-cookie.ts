import type { KeyObject } from 'node:crypto'
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

let sessionKey: KeyObject | undefined

function sessionCookieKey(): KeyObject {
  sessionKey ??= deriveSessionKey(useServerConfig().auth.secret)
  return sessionKey
}

/** Decodes the session cookie; a missing, tampered or truncated cookie is simply no session. */
export function readSessionToken(event: H3Event): SessionToken | null {
  if (event.context.sessionToken !== undefined) return event.context.sessionToken as SessionToken | null
  const token = openSessionCookie(event)
  event.context.sessionToken = token
  return token
}

function openSessionCookie(event: H3Event): SessionToken | null {
  const cookies = parseCookies(event)
  const name = sessionCookieName()
  // next-auth splits large cookies into .0, .1, …; ours stay small, but read both forms.
  const value = cookies[name] ?? Object.keys(cookies).filter(k => k.startsWith(`${name}.`)).sort().map(k => cookies[k]).join('')
  if (!value) return null
  const token = openSessionJwe(value, sessionCookieKey())
  return typeof token?.sid === 'string' && typeof token.uid === 'string' ? token as SessionToken : null
}

export function clearSessionCookies(event: H3Event): void {
  const name = sessionCookieName()
  for (const key of Object.keys(parseCookies(event))) {
    if (key === name || key.startsWith(`${name}.`)) deleteCookie(event, key, { path: '/', secure: useSecureCookies(), httpOnly: true, sameSite: 'lax' })
  }
}
