import type { H3Event } from 'h3'

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Cookie-authenticated calls that change something must come from our own pages: a cross-site
 * form or fetch carries the cookie (SameSite=Lax still sends it on top-level POSTs from some
 * flows) but not our Origin. Bearer-token callers are scripts (a cross-site page cannot add the
 * header without a CORS preflight we never grant), and a call without our session cookie has
 * nothing to abuse: without any credential it is the route's 401, not a 403.
 */
export default defineEventHandler((event) => {
  if (!unsafe.has(event.method) || !event.path.startsWith('/api/')) return
  if (/^Bearer\s/i.test(getHeader(event, 'authorization') ?? '') || !hasSessionCookie(event)) return
  const origin = getHeader(event, 'origin')
  const site = getHeader(event, 'sec-fetch-site')
  const expected = publicOrigin(event)
  if (origin ? origin === expected : site === 'same-origin') return
  throw createError({ statusCode: 403, statusMessage: 'Forbidden', message: say('request.crossSite', undefined, event) })
})

function hasSessionCookie(event: H3Event): boolean {
  const name = sessionCookieName()
  return Object.keys(parseCookies(event)).some(key => key === name || key.startsWith(`${name}.`))
}
