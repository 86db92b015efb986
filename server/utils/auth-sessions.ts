import { randomBytes } from 'node:crypto'
import { and, eq, isNull, sql } from 'drizzle-orm'
import { decodeJwt } from 'jose'

const logger = taggedLogger('auth')

// Refresh this long before Entra's expiry, so a request never carries a token about to lapse;
// but at most half the token's lifetime, or a short-lived token would be refreshed on every request.
const REFRESH_SKEW_MS = 60_000

/** The refresh margin for a token of this lifetime: min(60 s, lifetime / 2). */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(REFRESH_SKEW_MS, Math.max(0, lifetimeMs) / 2)
}

// Entra's access token is decrypted only when asked for: most requests never need it.
type ActiveSession = { status: 'active', userId: string, groups: string[], readAccessToken: () => string }
type NotActive = { status: 'ended', reason: string } | { status: 'unavailable', reason: string }
type RefreshOutcome = ActiveSession | NotActive

/** The session's state, and whether its user is disabled in the assistant (read with it). */
export type SessionCheck = (ActiveSession & { userDisabled: boolean }) | NotActive

export async function createAuthSession(input: { userId: string, accessToken: string, refreshToken?: string, expiresAt: Date, groups: string[] }): Promise<string> {
  const id = randomBytes(32).toString('base64url')
  await useDb().insert(tables.authSessions).values({
    id,
    userId: input.userId,
    accessToken: encryptToken(input.accessToken),
    refreshToken: input.refreshToken ? encryptToken(input.refreshToken) : null,
    accessTokenExpiresAt: input.expiresAt,
    accessTokenIssuedAt: new Date(),
    groups: input.groups,
  })
  return id
}

async function markEnded(db: Database, id: string, reason: string, claimsChallenge?: string): Promise<void> {
  // Tokens are wiped with the end: an ended session keeps only its reason, for the audit trail
  // (and a Conditional Access challenge, for the next sign-in to answer).
  const [ended] = await db.update(tables.authSessions)
    .set({ endedAt: new Date(), endedReason: reason, claimsChallenge: claimsChallenge ?? null, accessToken: '', refreshToken: null, updatedAt: new Date() })
    .where(and(eq(tables.authSessions.id, id), isNull(tables.authSessions.endedAt)))
    .returning({ userId: tables.authSessions.userId })
  // Only the request that actually ended it records it, however many noticed at once.
  if (ended) await recordAudit({ action: 'session_ended', outcome: reason === 'AccountDisabled' ? 'refused' : 'failure', reason, actorId: ended.userId, target: { type: 'user', id: ended.userId } }, db)
}

export function endAuthSession(id: string, reason: string): Promise<void> {
  return markEnded(useDb(), id, reason)
}

export async function deleteAuthSession(id: string): Promise<void> {
  await useDb().delete(tables.authSessions).where(eq(tables.authSessions.id, id))
}

type Row = typeof tables.authSessions.$inferSelect

function isFresh(row: Row): boolean {
  const expiresAt = row.accessTokenExpiresAt.getTime()
  return expiresAt - refreshMarginMs(expiresAt - row.accessTokenIssuedAt.getTime()) > Date.now()
}

function active(row: Row): ActiveSession {
  return { status: 'active', userId: row.userId, groups: row.groups, readAccessToken: () => decryptToken(row.accessToken) }
}

/** The user's groups as of a new access token; null when the session must end for them. */
async function groupsAfterRefresh(db: Database, row: Row, accessToken: string): Promise<string[] | null> {
  try {
    const groups = await resolveGroups(decodeJwt(accessToken) as EntraClaims, accessToken)
    if (isInAllowedGroup(groups)) return groups
    logger.info(`Ended session of user ${row.userId}: no longer in ACCESS_ALLOWED_GROUPS`)
    await markEnded(db, row.id, 'NotInAllowedGroup')
    return null
  }
  catch (error) {
    if (error instanceof ClaimsChallengeError) {
      logger.info(`Ended session of user ${row.userId}: ${error.message}`)
      await markEnded(db, row.id, 'ClaimsChallenge', error.claims)
      return null
    }
    if (error instanceof GraphRefusedError) {
      logger.info(`Ended session of user ${row.userId}: ${error.message}`)
      await markEnded(db, row.id, 'RefreshAccessTokenError')
      return null
    }
    // Graph unreachable: the groups we had stand until the next refresh.
    logger.warn(`Kept the groups of user ${row.userId}: ${error instanceof Error ? error.message : String(error)}`)
    return row.groups
  }
}

async function refreshRow(db: Database, row: Row): Promise<RefreshOutcome> {
  if (!row.refreshToken) {
    await markEnded(db, row.id, 'RefreshAccessTokenError')
    return { status: 'ended', reason: 'RefreshAccessTokenError' }
  }
  const result = await refreshAccessToken(decryptToken(row.refreshToken))
  if (result.outcome === 'rejected') {
    // A Conditional Access challenge ends the silent path: the browser must go to Entra with it.
    const reason = result.claims ? 'ClaimsChallenge' : 'RefreshAccessTokenError'
    logger.info(`Ended session of user ${row.userId}: Entra refused the refresh (${result.reason})`)
    await markEnded(db, row.id, reason, result.claims)
    return { status: 'ended', reason }
  }
  const groups = await groupsAfterRefresh(db, row, result.accessToken)
  if (!groups) {
    const [ended] = await db.select({ reason: tables.authSessions.endedReason }).from(tables.authSessions).where(eq(tables.authSessions.id, row.id))
    return { status: 'ended', reason: ended?.reason ?? 'RefreshAccessTokenError' }
  }
  await db.update(tables.authSessions).set({
    accessToken: encryptToken(result.accessToken),
    refreshToken: result.refreshToken ? encryptToken(result.refreshToken) : row.refreshToken,
    accessTokenExpiresAt: result.expiresAt,
    accessTokenIssuedAt: result.issuedAt,
    groups,
    updatedAt: new Date(),
  }).where(eq(tables.authSessions.id, row.id))
  return { status: 'active', userId: row.userId, groups, readAccessToken: () => result.accessToken }
}

/**
 * Refreshes under a row lock: when many requests (on many replicas) notice the expiry at once,
 * the first takes the lock and refreshes; the others wait, re-read the row and find it fresh.
 * Entra's refresh tokens are single-use, so a second refresh would kill the session.
 */
async function refreshLocked(id: string): Promise<RefreshOutcome> {
  const db = useDb()
  if (useDatabaseDriver() === 'pglite') {
    // One process owns PGlite, and the in-process single flight below already serialises refreshes;
    // holding a PGlite transaction across an HTTP call would block every other query.
    const [row] = await db.select().from(tables.authSessions).where(eq(tables.authSessions.id, id))
    if (!row || row.endedAt) return { status: 'ended', reason: row?.endedReason ?? 'SessionNotFound' }
    return isFresh(row) ? active(row) : refreshRow(db, row)
  }
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(tables.authSessions).where(eq(tables.authSessions.id, id)).for('update')
    if (!row || row.endedAt) return { status: 'ended', reason: row?.endedReason ?? 'SessionNotFound' } as const
    return isFresh(row) ? active(row) : refreshRow(tx as unknown as Database, row)
  })
}

const inflight = new Map<string, Promise<RefreshOutcome>>()

/** Once per session: it served a request, so if it ends later it did not end "at once". */
async function markUsed(id: string): Promise<void> {
  await useDb().update(tables.authSessions).set({ firstUsedAt: new Date() })
    .where(and(eq(tables.authSessions.id, id), isNull(tables.authSessions.firstUsedAt)))
}

/** The session's state, refreshing Entra's access token first when it is about to expire. */
export async function checkAuthSession(id: string): Promise<SessionCheck> {
  // One round trip on the hot path: the session and whether its user is disabled.
  const [found] = await prepared('session_with_user', (db, name) => db.select({ row: tables.authSessions, disabledAt: tables.users.disabledAt })
    .from(tables.authSessions)
    .innerJoin(tables.users, eq(tables.users.id, tables.authSessions.userId))
    .where(eq(tables.authSessions.id, sql.placeholder('id')))
    .prepare(name)).execute({ id })
  const row = found?.row
  if (!row || row.endedAt) return { status: 'ended', reason: row?.endedReason ?? 'SessionNotFound' }
  // Read with the session, before any refresh: as fresh as the session row itself.
  const userDisabled = !!found.disabledAt
  if (isFresh(row)) {
    if (!row.firstUsedAt) await markUsed(id)
    return { ...active(row), userDisabled }
  }
  let pending = inflight.get(id)
  if (!pending) {
    pending = refreshLocked(id).catch((error: unknown) => {
      if (error instanceof EntraUnavailableError) {
        logger.warn(error.message)
        return { status: 'unavailable', reason: 'The sign-in service (Microsoft Entra ID) is unreachable; please try again in a moment.' } as const
      }
      throw error
    }).finally(() => inflight.delete(id))
    inflight.set(id, pending)
  }
  const refreshed = await pending
  if (refreshed.status === 'active' && !row.firstUsedAt) await markUsed(id)
  return refreshed.status === 'active' ? { ...refreshed, userDisabled } : refreshed
}

/** Why a session ended, and the Conditional Access challenge to sign in with, if that was why. */
export async function readSessionEnd(id: string): Promise<{ reason: string | null, claimsChallenge: string | null, atOnce: boolean } | undefined> {
  const [row] = await useDb().select({ reason: tables.authSessions.endedReason, claimsChallenge: tables.authSessions.claimsChallenge, endedAt: tables.authSessions.endedAt, firstUsedAt: tables.authSessions.firstUsedAt })
    .from(tables.authSessions).where(eq(tables.authSessions.id, id))
  // Ended before serving a single request: right after sign-in, the stuff loops are made of.
  return row?.endedAt ? { reason: row.reason, claimsChallenge: row.claimsChallenge, atOnce: !row.firstUsedAt } : undefined
}
