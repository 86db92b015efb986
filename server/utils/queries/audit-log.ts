import { and, asc, desc, eq, gt, gte, lt, or, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'

const isoDay = /^\d{4}-\d{2}-\d{2}$/
const when = z.string().trim().max(40).refine(v => !Number.isNaN(Date.parse(v)), 'must be a date such as 2025-03-01')
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The viewer's and the export's filters, from the query string. */
export const auditFilterSchema = z.object({
  /** A user id, or part of a name or email: entries where that user acted or was acted upon. */
  user: z.string().trim().max(200).optional(),
  action: z.enum(auditActions, { error: `must be one of ${auditActions.join(', ')}` }).optional(),
  from: when.optional().transform(v => (v ? new Date(v) : undefined)),
  // A bare day includes that whole day.
  to: when.optional().transform(v => (v ? new Date(Date.parse(v) + (isoDay.test(v) ? 86_400_000 : 0)) : undefined)),
})
export type AuditFilters = z.infer<typeof auditFilterSchema>

function filterConditions(filters: AuditFilters): SQL[] {
  const { auditLog } = tables
  const conditions: SQL[] = []
  if (filters.user) {
    if (uuid.test(filters.user)) {
      conditions.push(or(eq(auditLog.actorId, filters.user), and(eq(auditLog.targetType, 'user'), eq(auditLog.targetId, filters.user)))!)
    }
    else {
      const pattern = containsPattern(filters.user)
      const named = sql`u.display_name ILIKE ${pattern} OR u.email ILIKE ${pattern}`
      conditions.push(or(
        sql`${auditLog.actorId} IN (SELECT u.id FROM users u WHERE ${named})`,
        and(eq(auditLog.targetType, 'user'), sql`${auditLog.targetId} IN (SELECT u.id::text FROM users u WHERE ${named})`),
      )!)
    }
  }
  if (filters.action) conditions.push(eq(auditLog.action, filters.action))
  if (filters.from) conditions.push(gte(auditLog.createdAt, filters.from))
  if (filters.to) conditions.push(lt(auditLog.createdAt, filters.to))
  return conditions
}

const columns = () => ({
  id: tables.auditLog.id,
  createdAt: tables.auditLog.createdAt,
  actorId: tables.auditLog.actorId,
  actorName: tables.users.displayName,
  actorEmail: tables.users.email,
  action: tables.auditLog.action,
  targetType: tables.auditLog.targetType,
  targetId: tables.auditLog.targetId,
  outcome: tables.auditLog.outcome,
  reason: tables.auditLog.reason,
  ip: tables.auditLog.ip,
  userAgent: tables.auditLog.userAgent,
  requestId: tables.auditLog.requestId,
  details: tables.auditLog.details,
})

export type AuditRow = Awaited<ReturnType<typeof readAuditBatch>>[number]

/** Newest first, a page at a time; the cursor is the last id seen. */
export async function listAudit(filters: AuditFilters, options: { limit: number, before?: number }) {
  const { auditLog, users } = tables
  const conditions = filterConditions(filters)
  if (options.before) conditions.push(lt(auditLog.id, options.before))
  const rows = await useDb().select(columns()).from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(options.limit + 1)
  const page = rows.slice(0, options.limit)
  return { entries: page, nextCursor: rows.length > options.limit ? String(page.at(-1)!.id) : null }
}

/** Oldest first after `afterId`: one keyset batch of the export. */
export async function readAuditBatch(filters: AuditFilters, afterId: number, limit: number) {
  const { auditLog, users } = tables
  return useDb().select(columns()).from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(and(...filterConditions(filters), gt(auditLog.id, afterId)))
    .orderBy(asc(auditLog.id))
    .limit(limit)
}
