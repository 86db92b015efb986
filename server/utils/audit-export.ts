import { csvLine } from './csv'
import type { AuditRow } from './queries/audit-log'

// Explicit imports only: unit tests load this file without Nitro's auto-imports.

export const AUDIT_EXPORT_BATCH = 500

const header = ['id', 'time', 'actor_id', 'actor_name', 'actor_email', 'action', 'target_type', 'target_id', 'outcome', 'reason', 'ip', 'user_agent', 'request_id', 'details'] as const

export interface ExportProgress { rows: number, batches: number }

/**
 * The audit log as CSV text, one chunk per keyset batch. A generator, so nothing is read before
 * the consumer asks for it: at most one batch of rows is held at any time, however long the
 * export, and a slow client slows the reads down instead of filling the server's memory.
 */
export async function* auditCsvChunks(
  readBatch: (afterId: number, limit: number) => Promise<AuditRow[]>,
  progress: ExportProgress = { rows: 0, batches: 0 },
  batchSize = AUDIT_EXPORT_BATCH,
): AsyncGenerator<string> {
  // The BOM makes Excel read the file as UTF-8 (names with accents).
  yield `\uFEFF${csvLine(header)}`
  let afterId = 0
  for (;;) {
    const rows = await readBatch(afterId, batchSize)
    progress.batches++
    if (!rows.length) return
    progress.rows += rows.length
    afterId = rows.at(-1)!.id
    yield rows.map(r => csvLine([
      r.id, r.createdAt, r.actorId, r.actorName, r.actorEmail, r.action, r.targetType, r.targetId,
      r.outcome, r.reason, r.ip, r.userAgent, r.requestId, r.details,
    ])).join('')
    if (rows.length < batchSize) return
  }
}
