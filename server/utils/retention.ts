import { asc, inArray, lt, sql } from 'drizzle-orm'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import * as schema from '../database/schema'

const logger = taggedLogger('retention')

// Small batches: each is its own short transaction, so chat writes and the audit log never wait
// long behind the job, and a crash loses at most one batch of work (the next run picks it up).
const CHAT_BATCH = 500
const AUDIT_BATCH = 1000
// Any constant works; the same in every replica, so only one of them runs the job at a time.
const RETENTION_LOCK_ID = 7_274_210_512
const DAY_MS = 86_400_000

export interface RetentionResult {
  messageRetentionDays: number | null
  auditRetentionDays: number | null
  chatsDeleted: number
  messagesDeleted: number
  auditEntriesDeleted: number
}

async function deleteExpiredChats(db: Database, cutoff: Date) {
  const { chats, messages } = tables
  let chatsDeleted = 0
  let messagesDeleted = 0
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      // SKIP LOCKED: a chat being written to right now is left for the next run.
      const doomed = await tx.select({ id: chats.id }).from(chats)
        .where(lt(chats.updatedAt, cutoff))
        .orderBy(asc(chats.updatedAt))
        .limit(CHAT_BATCH)
        .for('update', { skipLocked: true })
      if (!doomed.length) return { chats: 0, messages: 0 }
      const ids = doomed.map(c => c.id)
      const [counted] = await tx.select({ n: sql<number>`count(*)::int` }).from(messages).where(inArray(messages.chatId, ids))
      // Messages go with their chat (ON DELETE CASCADE).
      await tx.delete(chats).where(inArray(chats.id, ids))
      return { chats: ids.length, messages: Number(counted?.n ?? 0) }
    })
    chatsDeleted += batch.chats
    messagesDeleted += batch.messages
    if (batch.chats < CHAT_BATCH) return { chatsDeleted, messagesDeleted }
  }
}

async function deleteExpiredAudit(db: Database, cutoff: Date) {
  const { auditLog } = tables
  let deleted = 0
  for (;;) {
    const count = await db.transaction(async (tx) => {
      // The append-only trigger lets DELETE through only with this, for this transaction only.
      await tx.execute(sql`SET LOCAL app.audit_retention = 'on'`)
      const expired = tx.select({ id: auditLog.id }).from(auditLog).where(lt(auditLog.createdAt, cutoff)).orderBy(asc(auditLog.id)).limit(AUDIT_BATCH)
      const rows = await tx.delete(auditLog).where(inArray(auditLog.id, expired)).returning({ id: auditLog.id })
      return rows.length
    })
    deleted += count
    if (count < AUDIT_BATCH) return deleted
  }
}

/**
 * On PostgreSQL, runs `work` holding a session advisory lock on a connection of its own (several
 * replicas fire the schedule at once; one works, the others skip). PGlite has one process.
 */
async function withRetentionLock<T>(work: (db: Database) => Promise<T>): Promise<T | null> {
  const { database } = useServerConfig()
  if (!database.url) return work(useDb())
  const client = postgres(database.url, { max: 1, connect_timeout: 5, onnotice: () => {} })
  try {
    const [row] = await client<Array<{ locked: boolean }>>`SELECT pg_try_advisory_lock(${RETENTION_LOCK_ID}) AS locked`
    if (!row?.locked) return null
    return await work(drizzlePostgres(client, { schema }) as unknown as Database)
  }
  finally {
    // Closing the connection releases the lock.
    await client.end({ timeout: 5 }).catch(() => {})
  }
}

/**
 * Deletes chats (with their messages) inactive for longer than MESSAGE_RETENTION_DAYS and audit
 * entries older than AUDIT_RETENTION_DAYS, then records what it did as one audit entry.
 * `null` when another replica is already running it.
 */
export async function runRetention(options: { actorId?: string | null, now?: Date } = {}): Promise<RetentionResult | null> {
  await whenDatabaseReady()
  const { retention } = useServerConfig()
  const now = options.now ?? new Date()
  return withRetentionLock(async (db) => {
    const chats = retention.messageDays
      ? await deleteExpiredChats(db, new Date(now.getTime() - retention.messageDays * DAY_MS))
      : { chatsDeleted: 0, messagesDeleted: 0 }
    const auditEntriesDeleted = retention.auditDays
      ? await deleteExpiredAudit(db, new Date(now.getTime() - retention.auditDays * DAY_MS))
      : 0
    const result: RetentionResult = {
      messageRetentionDays: retention.messageDays ?? null,
      auditRetentionDays: retention.auditDays ?? null,
      ...chats,
      auditEntriesDeleted,
    }
    // Recorded after the audit deletion, so the record of this run is never among what it deletes.
    if (options.actorId || retention.messageDays || retention.auditDays) {
      await recordAudit({ action: 'retention_run', actorId: options.actorId ?? null, details: { ...result } }, db)
    }
    logger.info(`Deleted ${result.chatsDeleted} chats (${result.messagesDeleted} messages) and ${result.auditEntriesDeleted} audit entries`)
    return result
  })
}
