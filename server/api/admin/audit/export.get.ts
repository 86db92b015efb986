import { Readable } from 'node:stream'

// The filtered audit trail as CSV, oldest first, streamed batch by batch (never all in memory).
// The export itself is audited once it ends: who, which filters, how many rows, and whether the
// client took all of it.
export default defineEventHandler(async (event) => {
  const admin = await requireRole(event, 'Admin')
  const filters = queryWith(event, auditFilterSchema)

  const progress: ExportProgress = { rows: 0, batches: 0 }
  const lines = auditCsvChunks((afterId, limit) => readAuditBatch(filters, afterId, limit), progress)
  let complete = false
  async function* audited() {
    try {
      yield* lines
      complete = true
    }
    finally {
      await recordAudit({
        action: 'audit_exported',
        outcome: complete ? 'success' : 'failure',
        actorId: admin.id,
        target: { type: 'audit_log', id: null },
        details: { filters: describeFilters(filters), ...progress },
        event,
      }).catch((error: unknown) => taggedLogger('audit').error(`Could not record the export: ${(error as Error).message}`))
    }
  }
  const stream = Readable.from(audited(), { objectMode: false })
  // A client that goes away stops the reads (and the generator's finally records it).
  event.node.res.once('close', () => stream.destroy())

  const stamp = new Date().toISOString().slice(0, 10)
  setResponseHeaders(event, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="audit-log-${stamp}.csv"`,
    'Cache-Control': 'no-store',
  })
  return sendStream(event, stream)
})

function describeFilters(filters: AuditFilters) {
  return {
    user: filters.user ?? null,
    action: filters.action ?? null,
    from: filters.from?.toISOString() ?? null,
    to: filters.to?.toISOString() ?? null,
  }
}
