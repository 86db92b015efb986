import type { H3Event } from 'h3'
import type { CurrentUser } from './auth'

const logger = taggedLogger('auth')

// Names change rarely and only label a picker: read from Graph at most every 10 minutes per user.
const TTL_MS = 10 * 60_000
const MAX_USERS = 5_000
const cache = new Map<string, { names: Map<string, string>, until: number }>()

/** The access token for this app that the request acts with: the bearer's, or the session's. */
async function userAccessToken(event: H3Event, user: CurrentUser): Promise<string | undefined> {
  if (user.via === 'bearer') return getHeader(event, 'authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1]
  if (!user.sessionId) return undefined
  const check = await checkAuthSession(user.sessionId)
  return check.status === 'active' ? check.readAccessToken() : undefined
}

/**
 * The display names of the user's Entra groups, from Graph (transitiveMemberOf, on behalf of the
 * user). Names only label libraries: when Graph cannot be asked (no consent for it, Entra
 * unreachable, an expired token) the map is empty and the caller shows the group's id instead.
 */
export async function groupNames(event: H3Event, user: CurrentUser): Promise<Map<string, string>> {
  if (!user.groups.length) return new Map()
  const cached = cache.get(user.id)
  if (cached && cached.until > Date.now()) return cached.names
  const names = new Map<string, string>()
  try {
    const token = await userAccessToken(event, user)
    if (!token) return names
    for (const group of await readGroupDirectory(await graphTokenFor(token))) {
      if (group.name) names.set(group.id, group.name)
    }
  }
  catch (error) {
    logger.warn(`Group names could not be read from Graph: ${(error as Error).message}`)
    return names
  }
  if (cache.size >= MAX_USERS) cache.delete(cache.keys().next().value!)
  cache.set(user.id, { names, until: Date.now() + TTL_MS })
  return names
}
