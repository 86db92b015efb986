import { and, desc, eq, gt, gte, isNotNull, or, sql } from 'drizzle-orm'
import type { FeedbackRating, FeedbackReason } from '../../database/schema'

export interface FeedbackInput { rating: FeedbackRating, reason: FeedbackReason | null, comment: string | null }

/**
 * Sets (or changes) this user's feedback on an answer in one of their own chats. The ownership
 * check is part of the INSERT's SELECT: an answer in someone else's chat writes nothing (404).
 */
export async function setFeedback(chatId: string, messageId: string, userId: string, input: FeedbackInput) {
  const { messages, chats, messageFeedback } = tables
  const [row] = await rowsOf<{ rating: FeedbackRating, reason: FeedbackReason | null, comment: string | null, updated_at: string | Date }>(useDb().execute(sql`
    INSERT INTO ${messageFeedback} (message_id, user_id, rating, reason, comment)
    SELECT ${messages.id}, ${userId}::uuid, ${input.rating}, ${input.reason}, ${input.comment}
    FROM ${messages} JOIN ${chats} ON ${chats.id} = ${messages.chatId}
    WHERE ${messages.id} = ${messageId}::uuid AND ${messages.chatId} = ${chatId}::uuid
      AND ${chats.userId} = ${userId}::uuid AND ${messages.role} = 'assistant'
    ON CONFLICT (message_id, user_id) DO UPDATE
      SET rating = excluded.rating, reason = excluded.reason, comment = excluded.comment, updated_at = now()
    RETURNING rating, reason, comment, updated_at`))
  if (!row) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.answer') })
  return { rating: row.rating, reason: row.reason, comment: row.comment, updatedAt: new Date(row.updated_at) }
}

/** Clears this user's feedback; answers whether there was any. The chat must be theirs (404). */
export async function clearFeedback(chatId: string, messageId: string, userId: string): Promise<boolean> {
  await requireChat(chatId, userId)
  const { messageFeedback, messages } = tables
  const deleted = await useDb().delete(messageFeedback)
    .where(and(
      eq(messageFeedback.messageId, messageId),
      eq(messageFeedback.userId, userId),
      sql`EXISTS (SELECT 1 FROM ${messages} WHERE ${messages.id} = ${messageFeedback.messageId} AND ${messages.chatId} = ${chatId}::uuid)`,
    ))
    .returning({ messageId: messageFeedback.messageId })
  return deleted.length > 0
}

const dayOf = sql<string>`to_char(${tables.messageFeedback.updatedAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
const modelOf = sql<string>`coalesce(${tables.messages.model}, 'unknown')`

/** Thumbs up and down per UTC day and model over the last `days` days, and the latest comments. */
export async function feedbackReport(days: number, now = new Date()) {
  const { messageFeedback: feedback, messages } = tables
  const from = periodStart(days, now)
  const db = useDb()
  const inPeriod = gte(feedback.updatedAt, from)
  const up = sql<number>`(count(*) FILTER (WHERE ${feedback.rating} = 'up'))::int`
  const down = sql<number>`(count(*) FILTER (WHERE ${feedback.rating} = 'down'))::int`

  const dailyRows = await db.select({ day: dayOf, model: modelOf, up, down })
    .from(feedback).innerJoin(messages, eq(messages.id, feedback.messageId))
    .where(inPeriod)
    .groupBy(dayOf, modelOf)
    .orderBy(dayOf, modelOf)

  const latest = await db.select({
    at: feedback.updatedAt,
    model: modelOf,
    rating: feedback.rating,
    reason: feedback.reason,
    comment: feedback.comment,
  }).from(feedback).innerJoin(messages, eq(messages.id, feedback.messageId))
    .where(and(inPeriod, isNotNull(feedback.comment)))
    .orderBy(desc(feedback.updatedAt), desc(feedback.messageId))
    .limit(20)

  const byModel = new Map<string, { model: string, up: number, down: number }>()
  for (const row of dailyRows) {
    const m = byModel.get(row.model) ?? { model: row.model, up: 0, down: 0 }
    m.up += Number(row.up)
    m.down += Number(row.down)
    byModel.set(row.model, m)
  }
  return {
    period: { days, from: from.toISOString(), to: now.toISOString() },
    daily: dailyRows.map(r => ({ day: r.day, model: r.model, up: Number(r.up), down: Number(r.down), rate: rateOf(Number(r.up), Number(r.down)) })),
    byModel: [...byModel.values()].map(m => ({ ...m, rate: rateOf(m.up, m.down) })),
    latest,
  }
}

/** Share of thumbs up, 0 to 1, rounded to three places; null without any rating. */
function rateOf(up: number, down: number): number | null {
  return up + down === 0 ? null : Math.round((up / (up + down)) * 1000) / 1000
}

export interface FeedbackKey { at: Date, messageId: string, userId: string }

/** One batch of the CSV, oldest first, keyset-paginated so a long export never repeats a row. */
export async function readFeedbackBatch(days: number, after: FeedbackKey | undefined, limit: number, withText: boolean) {
  const { messageFeedback: feedback, messages } = tables
  const conditions = [gte(feedback.updatedAt, periodStart(days))]
  if (after) {
    conditions.push(or(
      gt(feedback.updatedAt, after.at),
      and(eq(feedback.updatedAt, after.at), gt(feedback.messageId, after.messageId)),
      and(eq(feedback.updatedAt, after.at), eq(feedback.messageId, after.messageId), gt(feedback.userId, after.userId)),
    )!)
  }
  return useDb().select({
    at: feedback.updatedAt,
    messageId: feedback.messageId,
    userId: feedback.userId,
    model: modelOf,
    rating: feedback.rating,
    reason: feedback.reason,
    comment: feedback.comment,
    // Read only when the operator turned it on: privacy by default.
    parts: withText ? messages.parts : sql<null>`null`,
  }).from(feedback).innerJoin(messages, eq(messages.id, feedback.messageId))
    .where(and(...conditions))
    .orderBy(feedback.updatedAt, feedback.messageId, feedback.userId)
    .limit(limit)
}
