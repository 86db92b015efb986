import { and, asc, desc, eq, lt, ne, sql } from 'drizzle-orm'

export interface TextPart { type: 'text', text: string }

export function textOf(parts: unknown): string {
  return Array.isArray(parts) ? parts.filter((p): p is TextPart => p?.type === 'text').map(p => p.text).join('') : ''
}

export interface ReasoningPart { type: 'reasoning', text: string, durationMs?: number }

/** A reasoning model's stored summary, if the answer has one. */
export function reasoningOf(parts: unknown): ReasoningPart | undefined {
  return Array.isArray(parts) ? parts.find((p): p is ReasoningPart => p?.type === 'reasoning') : undefined
}

const publicColumns = {
  id: tables.messages.id,
  role: tables.messages.role,
  parts: tables.messages.parts,
  status: tables.messages.status,
  error: tables.messages.error,
  model: tables.messages.model,
  citations: tables.messages.citations,
  createdAt: tables.messages.createdAt,
}

/**
 * The conversation as the model sees it, newest turns kept within the token budget. With
 * `question`, that message is left out of what is read and put last: the read can then run
 * while the question is being inserted, whichever of the two ends first.
 */
export async function loadHistory(chatId: string, budgetTokens: number, question?: { id: string, text: string }) {
  const { messages } = tables
  const rows = await prepared('history_except', (db, name) => db.select({ role: messages.role, parts: messages.parts })
    .from(messages)
    .where(and(eq(messages.chatId, sql.placeholder('chatId')), ne(messages.id, sql.placeholder('except'))))
    .orderBy(asc(messages.seq))
    // The nil UUID is no message's id: without a question, nothing is left out.
    .prepare(name)).execute({ chatId, except: question?.id ?? '00000000-0000-0000-0000-000000000000' })
  const turns = rows
    .map(r => ({ role: r.role, text: textOf(r.parts) }))
    .filter(t => t.text.length > 0)
  if (question) turns.push({ role: 'user', text: question.text })
  const kept: typeof turns = []
  let used = 0
  for (const turn of turns.reverse()) {
    // About four characters a token: good enough to stay inside the deployment's window.
    const cost = Math.ceil(turn.text.length / 4) + 4
    if (kept.length > 0 && used + cost > budgetTokens) break
    kept.unshift(turn)
    used += cost
  }
  return kept
}

const NO_USER = '00000000-0000-0000-0000-000000000000'

/**
 * A page of messages, newest page first, each page in reading order. With `viewer`, each answer
 * carries that user's own feedback (null when they gave none), so a reload shows their thumbs.
 */
export async function listMessages(chatId: string, options: { limit: number, before?: number, viewer?: string }) {
  const { messages, messageFeedback: feedback } = tables
  const conditions = [eq(messages.chatId, chatId)]
  if (options.before) conditions.push(lt(messages.seq, options.before))
  const rows = await useDb().select({
    ...publicColumns,
    seq: messages.seq,
    feedbackRating: feedback.rating,
    feedbackReason: feedback.reason,
    feedbackComment: feedback.comment,
  }).from(messages)
    .leftJoin(feedback, and(eq(feedback.messageId, messages.id), eq(feedback.userId, options.viewer ?? NO_USER)))
    .where(and(...conditions))
    .orderBy(desc(messages.seq))
    .limit(options.limit + 1)
  const page = rows.slice(0, options.limit)
  const oldest = page.at(-1)
  return {
    messages: page.reverse().map(({ seq: _seq, feedbackRating, feedbackReason, feedbackComment, ...message }) => ({
      ...message,
      feedback: feedbackRating ? { rating: feedbackRating, reason: feedbackReason, comment: feedbackComment } : null,
    })),
    nextCursor: rows.length > options.limit && oldest ? String(oldest.seq) : null,
  }
}
