import type { H3Event } from 'h3'

// Guards against sign-in loops: a sign-in that completes but whose session ends at once (a refresh
// refused right after, a claim we refuse, clock skew) would bounce the browser between us and
// Entra for ever. Short-lived cookies count the rounds: after a second round that ended at once
// within a minute, the next start shows /auth/error with the reason instead.

// Behind TLS the names carry the __Host- prefix: the browser then takes them only over https,
// for this host alone, as it does the session cookie.
const cookieName = (base: string) => `${useSecureCookies() ? '__Host-' : ''}assistant.${base}`
const SIGNED_IN_AT = () => cookieName('signed-in-at')
const QUICK_ROUNDS = () => cookieName('sign-in-rounds')
const SESSION_END = () => cookieName('session-end')
const WINDOW_SECONDS = 60
/** Sign-in starts that may follow a just-completed sign-in: one retry, so two rounds in all. */
const MAX_QUICK_ROUNDS = 1

function cookieOptions(maxAge: number) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: useSecureCookies(), maxAge }
}

/** Called as Entra's answer reaches our callback: a sign-in round completes. */
export function markSignInCompleted(event: H3Event): void {
  setCookie(event, SIGNED_IN_AT(), String(Date.now()), cookieOptions(WINDOW_SECONDS))
}

/**
 * Counts a sign-in start. Returns true when it would be one round too many: the previous rounds
 * each completed and ended again within a minute.
 */
export function isSignInLoop(event: H3Event, { reset, endedAtOnce }: { reset: boolean, endedAtOnce: boolean }): boolean {
  // A session that served requests and ended later (revoked, expired) is no loop.
  if (reset || !endedAtOnce) {
    deleteCookie(event, QUICK_ROUNDS(), cookieOptions(0))
    deleteCookie(event, SIGNED_IN_AT(), cookieOptions(0))
    return false
  }
  const cookies = parseCookies(event)
  const signedInAt = cookies[SIGNED_IN_AT()] ?? ''
  if (!signedInAt || Date.now() - Number(signedInAt) > WINDOW_SECONDS * 1000) {
    deleteCookie(event, QUICK_ROUNDS(), cookieOptions(0))
    return false
  }
  // "<count>:<the completed sign-in counted last>": several starts after one completed sign-in
  // (a 401 and a page navigation at once) are one round, not several.
  const [count = '0', countedFor = ''] = (cookies[QUICK_ROUNDS()] ?? '').split(':')
  const rounds = countedFor === signedInAt ? Number(count) : Number(count) + 1
  if (rounds > MAX_QUICK_ROUNDS) return true
  setCookie(event, QUICK_ROUNDS(), `${rounds}:${signedInAt}`, cookieOptions(WINDOW_SECONDS))
  return false
}

interface SessionEnd { reason: string | null, claims: string | null, atOnce: boolean }

/**
 * Remembers why the session ended for the next sign-in start, which may no longer see the session
 * cookie (a 401 clears it): the reason for a loop page, the Conditional Access challenge to answer.
 */
export function rememberSessionEnd(event: H3Event, end: SessionEnd): void {
  setCookie(event, SESSION_END(), Buffer.from(JSON.stringify(end)).toString('base64url'), cookieOptions(300))
}

/** What rememberSessionEnd kept, or what the (ended) session row says; consumed once read. */
export async function takeSessionEnd(event: H3Event): Promise<SessionEnd | undefined> {
  const kept = getCookie(event, SESSION_END())
  if (kept) {
    deleteCookie(event, SESSION_END(), cookieOptions(0))
    try {
      const value = JSON.parse(Buffer.from(kept, 'base64url').toString('utf8')) as SessionEnd
      return { reason: typeof value.reason === 'string' ? value.reason : null, claims: typeof value.claims === 'string' ? value.claims : null, atOnce: value.atOnce === true }
    }
    catch {
      return undefined
    }
  }
  const sid = readSessionToken(event)?.sid
  if (!sid) return undefined
  const ended = await readSessionEnd(sid)
  return ended ? { reason: ended.reason, claims: ended.claimsChallenge, atOnce: ended.atOnce } : undefined
}
