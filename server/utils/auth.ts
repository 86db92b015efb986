import type { H3Event } from 'h3'

export interface CurrentUser {
  id: string
  roles: string[]
  via: 'session' | 'bearer'
  sessionId?: string
}

function unauthorized(event: H3Event, message: string, reason?: string): never {
  setResponseHeader(event, 'WWW-Authenticate', 'Bearer realm="assistant"')
  clearSessionCookies(event)
  throw createError({ statusCode: 401, statusMessage: 'Unauthorized', message, data: reason ? { reason } : undefined })
}

async function fromBearer(event: H3Event, token: string): Promise<CurrentUser> {
  const claims = await verifyEntraAccessToken(token).catch((error: unknown) => {
    if (error instanceof EntraUnavailableError) throw createError({ statusCode: 503, statusMessage: 'Service Unavailable', message: 'The sign-in service is unreachable, so the token cannot be checked; please try again.' })
    throw error
  })
  if (!claims) unauthorized(event, 'The access token is not valid for this application.')
  const user = await upsertUser({ tenantId: claims.tid!, objectId: claims.oid!, email: claims.email ?? claims.preferred_username, displayName: claims.name }, { signedIn: false })
  if (user.disabledAt) unauthorized(event, 'Your account is disabled in the assistant. Contact your administrator.', 'AccountDisabled')
  return { id: user.id, roles: claims.roles ?? [], via: 'bearer' }
}

async function fromSession(event: H3Event): Promise<CurrentUser> {
  const token = readSessionToken(event)
  if (!token) unauthorized(event, 'Please sign in to continue.')
  const check = await checkAuthSession(token.sid)
  if (check.status === 'unavailable') throw createError({ statusCode: 503, statusMessage: 'Service Unavailable', message: check.reason })
  if (check.status === 'ended') unauthorized(event, 'Your session has ended. Please sign in again.', check.reason)
  if (check.userDisabled) {
    await endAuthSession(token.sid, 'AccountDisabled')
    unauthorized(event, 'Your account is disabled in the assistant. Contact your administrator.', 'AccountDisabled')
  }
  return { id: check.userId, roles: token.roles ?? [], via: 'session', sessionId: token.sid }
}

/**
 * The user id the session cookie names, before the database has confirmed the session: a handler
 * may start reading that user's rows while requireUser checks, and use them only if requireUser
 * returns the same id. Undefined for bearer tokens and requests without a session cookie.
 */
export function sessionUserHint(event: H3Event): string | undefined {
  if (getHeader(event, 'authorization')) return undefined
  return readSessionToken(event)?.uid
}

/** Who is asking: a signed-in browser session or a verified Entra bearer token; otherwise 401. */
export async function requireUser(event: H3Event): Promise<CurrentUser> {
  if (event.context.user) return event.context.user as CurrentUser
  await whenDatabaseReady()
  const authorization = getHeader(event, 'authorization')
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1]
  if (authorization && !bearer) unauthorized(event, 'The Authorization header must be "Bearer <token>".')
  const user = bearer ? await fromBearer(event, bearer) : await fromSession(event)
  event.context.user = user
  return user
}

/** As requireUser, and the user must hold the Entra app role (from the token, never our database). */
export async function requireRole(event: H3Event, role: string): Promise<CurrentUser> {
  const user = await requireUser(event)
  if (!user.roles.includes(role)) throw createError({ statusCode: 403, statusMessage: 'Forbidden', message: `This needs the ${role} role.` })
  return user
}
