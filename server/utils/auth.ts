import { createHash } from 'node:crypto'
import type { H3Event } from 'h3'

export interface CurrentUser {
  id: string
  /** Entra app roles, plus Admin for members of ADMIN_GROUPS. */
  roles: string[]
  /** Entra security group object ids ([] when none or when the groups claim is not configured); also whose shared document libraries the user may read. */
  groups: string[]
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
    if (error instanceof EntraUnavailableError) throw createError({ statusCode: 503, statusMessage: 'Service Unavailable', message: say('auth.tokenCheckUnavailable', undefined, event) })
    throw error
  })
  if (!claims) unauthorized(event, say('auth.invalidToken', undefined, event))
  const guest = isGuest(claims)
  if (guest && !useServerConfig().azureAd.allowGuests) unauthorized(event, say('auth.guestsNotAllowed', undefined, event), 'GuestNotAllowed')
  const groups = await bearerGroups(claims, token)
  if (!isInAllowedGroup(groups)) unauthorized(event, say('auth.notInAllowedGroup', undefined, event), 'NotInAllowedGroup')
  const user = await upsertUser({ tenantId: claims.tid!, objectId: claims.oid!, email: claims.email ?? claims.preferred_username, displayName: claims.name, isGuest: guest }, { signedIn: false })
  if (user.disabledAt) unauthorized(event, say('auth.accountDisabled', undefined, event), 'AccountDisabled')
  return { id: user.id, roles: rolesWithGroups(claims.roles ?? [], groups), groups, via: 'bearer' }
}

// Overage groups of bearer callers, read from Graph once per token rather than once per request.
const bearerGroupCache = new Map<string, { groups: string[], until: number }>()

async function bearerGroups(claims: EntraClaims & { exp?: number }, token: string): Promise<string[]> {
  if (!groupsOverflow(claims)) return resolveGroups(claims, token)
  const key = createHash('sha256').update(token).digest('base64url')
  const cached = bearerGroupCache.get(key)
  if (cached && cached.until > Date.now()) return cached.groups
  const groups = await resolveGroups(claims, token).catch((error: unknown) => {
    if (error instanceof EntraUnavailableError) throw createError({ statusCode: 503, statusMessage: 'Service Unavailable', message: say('auth.graphUnreachable') })
    throw createError({ statusCode: 401, statusMessage: 'Unauthorized', message: say('auth.groupsUnreadable'), data: { reason: 'GroupsUnavailable' } })
  })
  if (bearerGroupCache.size > 1000) bearerGroupCache.clear()
  bearerGroupCache.set(key, { groups, until: (claims.exp ?? 0) * 1000 })
  return groups
}

async function fromSession(event: H3Event): Promise<CurrentUser> {
  const token = readSessionToken(event)
  if (!token) unauthorized(event, say('auth.signInRequired', undefined, event))
  const check = await checkAuthSession(token.sid)
  // The only reason a check is unavailable (auth-sessions.ts): Entra did not answer the refresh.
  if (check.status === 'unavailable') throw createError({ statusCode: 503, statusMessage: 'Service Unavailable', message: say('auth.entraUnreachable', undefined, event) })
  if (check.status === 'ended') {
    const ended = await readSessionEnd(token.sid)
    rememberSessionEnd(event, { reason: check.reason, claims: ended?.claimsChallenge ?? null, atOnce: ended?.atOnce ?? false })
    unauthorized(event, say('auth.sessionEnded', undefined, event), check.reason)
  }
  if (check.userDisabled) {
    await endAuthSession(token.sid, 'AccountDisabled')
    unauthorized(event, say('auth.accountDisabled', undefined, event), 'AccountDisabled')
  }
  return { id: check.userId, roles: rolesWithGroups(token.roles ?? [], check.groups), groups: check.groups, via: 'session', sessionId: token.sid }
}

/** Who is asking: a signed-in browser session or a verified Entra bearer token; otherwise 401. */
export async function requireUser(event: H3Event): Promise<CurrentUser> {
  if (event.context.user) return event.context.user as CurrentUser
  await whenDatabaseReady()
  const authorization = getHeader(event, 'authorization')
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1]
  if (authorization && !bearer) unauthorized(event, say('auth.badAuthorizationHeader', undefined, event))
  const user = bearer ? await fromBearer(event, bearer) : await fromSession(event)
  event.context.user = user
  return user
}

/** As requireUser, and the user must hold the Entra app role (from the token, never our database). */
export async function requireRole(event: H3Event, role: string): Promise<CurrentUser> {
  const user = await requireUser(event)
  if (!user.roles.includes(role)) throw createError({ statusCode: 403, statusMessage: 'Forbidden', message: say('auth.roleRequired', { role }, event) })
  return user
}
