import { sql, type SQL } from 'drizzle-orm'
import type { H3Event } from 'h3'
import type { AuditOutcome } from '../database/schema'

/** Every kind of entry the audit log holds; the admin viewer offers these as filters. */
export const auditActions = [
  'sign_in',
  'sign_out',
  'session_ended',
  'chat_created',
  'chat_deleted',
  'user_disabled',
  'user_enabled',
  'audit_exported',
  'retention_run',
  'assistant_created',
  'assistant_changed',
  'document_uploaded',
  'document_deleted',
  'feedback_given',
  'feedback_cleared',
  'feedback_exported',
  'chat_exported',
  'data_exported',
  'share_created',
  'share_revoked',
  'share_opened',
  'share_copied',
] as const
export type AuditAction = typeof auditActions[number]

export interface AuditEntry {
  action: AuditAction
  /** `refused`: we said no (a policy); `failure`: something broke or was cut short. */
  outcome?: AuditOutcome
  /** Our user id; null for the system (scheduled jobs) or an identity we never let in. */
  actorId?: string | null
  target?: { type: 'user' | 'chat' | 'message' | 'entra_account' | 'audit_log' | 'assistant' | 'document' | 'feedback' | 'share', id: string | null }
  /** A code (TenantNotAllowed, RefreshAccessTokenError), never free text from a user. */
  reason?: string | null
  /** Counts and filters; never message text, tokens or session ids. */
  details?: Record<string, unknown>
  /** The request to take IP, user agent and request id from; defaults to the current one. */
  event?: H3Event
}

function currentEvent(): H3Event | undefined {
  try {
    // Nitro's async context (nitro.experimental.asyncContext) reaches places without an event,
    // such as next-auth's callbacks; scheduled tasks have no request at all.
    return useEvent()
  }
  catch {
    return undefined
  }
}

function requestFacts(event: H3Event | undefined) {
  if (!event) return { ip: null, userAgent: null, requestId: null }
  // Behind the ingress the socket address is the proxy's: the first X-Forwarded-For hop is the client.
  const ip = getRequestIP(event, { xForwardedFor: true })?.slice(0, 100) ?? null
  const userAgent = getHeader(event, 'user-agent')?.slice(0, 500) ?? null
  const requestId = typeof event.context.requestId === 'string' ? event.context.requestId : null
  return { ip, userAgent, requestId }
}

/**
 * Appends one entry to the audit log. It throws when the entry cannot be written: an action
 * that must be audited does not silently go unrecorded. Pass `db` to write inside a transaction.
 */
export async function recordAudit(entry: AuditEntry, db: Database = useDb()): Promise<void> {
  await db.insert(tables.auditLog).values({
    actorId: entry.actorId ?? null,
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    outcome: entry.outcome ?? 'success',
    reason: entry.reason ?? null,
    details: entry.details ?? null,
    ...requestFacts(entry.event ?? currentEvent()),
  })
}

/**
 * The same entry as an INSERT for a statement of its own that writes what it records, added only
 * where `condition` holds, so the entry and the change stand or fall together.
 */
export function auditInsertWhere(entry: AuditEntry, condition: SQL): SQL {
  const { auditLog } = tables
  const facts = requestFacts(entry.event ?? currentEvent())
  const details = entry.details ? JSON.stringify(entry.details) : null
  return sql`INSERT INTO ${auditLog} (actor_id, action, target_type, target_id, outcome, reason, ip, user_agent, request_id, details)
    SELECT ${entry.actorId ?? null}::uuid, ${entry.action}, ${entry.target?.type ?? null}, ${entry.target?.id ?? null}, ${entry.outcome ?? 'success'},
      ${entry.reason ?? null}, ${facts.ip}, ${facts.userAgent}, ${facts.requestId}, ${details}::jsonb
    WHERE ${condition}`
}
