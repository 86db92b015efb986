import { Readable } from 'node:stream'
import { z } from 'zod'

const query = z.object({
  days: z.enum(['7', '30', '90'], { error: 'must be 7, 30 or 90' }).default('30').transform(Number),
})

const BATCH = 500

// The period's feedback as CSV, oldest first, streamed batch by batch. The answer's text is a
// column only with FEEDBACK_INCLUDE_TEXT=true; who gave the feedback is never in it.
export default defineEventHandler(async (event) => {
  const admin = await requireRole(event, 'Admin')
  const { days } = queryWith(event, query)
  const withText = useServerConfig().feedback.includeText

  let rows = 0
  let complete = false
  async function* lines() {
    try {
      yield `\uFEFF${csvLine(['time', 'message_id', 'model', 'rating', 'reason', 'comment', ...(withText ? ['answer_text'] : [])])}`
      let after: FeedbackKey | undefined
      for (;;) {
        const batch = await readFeedbackBatch(days, after, BATCH, withText)
        rows += batch.length
        yield batch.map(f => csvLine([f.at, f.messageId, f.model, f.rating, f.reason, f.comment, ...(withText ? [textOf(f.parts)] : [])])).join('')
        if (batch.length < BATCH) break
        const last = batch.at(-1)!
        after = { at: last.at, messageId: last.messageId, userId: last.userId }
      }
      complete = true
    }
    finally {
      await recordAudit({
        action: 'feedback_exported',
        outcome: complete ? 'success' : 'failure',
        actorId: admin.id,
        target: { type: 'feedback', id: null },
        details: { days, rows, withText },
        event,
      }).catch((error: unknown) => taggedLogger('audit').error(`Could not record the export: ${(error as Error).message}`))
    }
  }
  const stream = Readable.from(lines(), { objectMode: false })
  event.node.res.once('close', () => stream.destroy())

  const stamp = new Date().toISOString().slice(0, 10)
  setResponseHeaders(event, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="feedback-${stamp}.csv"`,
    'Cache-Control': 'no-store',
  })
  return sendStream(event, stream)
})
