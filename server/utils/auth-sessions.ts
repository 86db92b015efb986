import { randomBytes } from 'node:crypto'
import { and, eq, isNull, sql } from 'drizzle-orm'

const logger = taggedLogger('auth')

// Refresh this long before Entra's expiry, so a request never carries a token about to lapse.
const REFRESH_SKEW_MS = 60_000

// Entra's access token is decrypted only when asked for: most requests never need it.
type ActiveSession = { status: 'active', userId: string, readAccessToken: () => string }
type NotActive = { status: 'ended', reason: string } | { status: 'unavailable', reason: string }
type RefreshOutcome = ActiveSession | NotActive

/** The session's state, and whether its user is disabled in the assistant (read with it). */
export type SessionCheck = (ActiveSession & { userDisabled: boolean }) | NotActive

export async function createAuthSession(input: { userId: string, accessToken: string, refreshToken?: string, expiresAt: Date }): Promise<string> {
  const id = randomBytes(32).toString('base64url')
  await useDb().insert(tables.authSessions).values({
    id,
    userId: input.userId,
    accessToken: encryptToken(input.accessToken),
    refreshToken: input.refreshToken ? encryptToken(input.refreshToken) : null,
    accessTokenExpiresAt: input.expiresAt,
  })
  return id
}

async function markEnded(db: Database, id: string, reason: string): Promise<void> {
  // Tokens are wiped with the end: an ended session keeps only its reason, for the audit trail.
  const [ended] = await db.update(tables.authSessions)
    .set({ endedAt: new Date(), endedReason: reason, accessToken: '', refreshToken: null, updatedAt: new Date() })
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
  return row.accessTokenExpiresAt.getTime() - REFRESH_SKEW_MS > Date.now()
}

function active(row: Row): ActiveSession {
  return { status: 'active', userId: row.userId, readAccessToken: () => decryptToken(row.accessToken) }
}

async function refreshRow(db: Database, row: Row): Promise<RefreshOutcome> {
  if (!row.refreshToken) {
    await markEnded(db, row.id, 'RefreshAccessTokenError')
    return { status: 'ended', reason: 'RefreshAccessTokenError' }
  }
  const result = await refreshAccessToken(decryptToken(row.refreshToken))
  if (result.outcome === 'rejected') {
    logger.info(`Ended session of user ${row.userId}: Entra refused the refresh (${result.reason})`)
    await markEnded(db, row.id, 'RefreshAccessTokenError')
    return { status: 'ended', reason: 'RefreshAccessTokenError' }
  }
  await db.update(tables.authSessions).set({
    accessToken: encryptToken(result.accessToken),
    refreshToken: result.refreshToken ? encryptToken(result.refreshToken) : row.refreshToken,
    accessTokenExpiresAt: result.expiresAt,
    updatedAt: new Date(),
  }).where(eq(tables.authSessions.id, row.id))
  return { status: 'active', userId: row.userId, readAccessToken: () => result.accessToken }
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
  if (isFresh(row)) return { ...active(row), userDisabled }
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
  return refreshed.status === 'active' ? { ...refreshed, userDisabled } : refreshed
}
