import { createHash } from 'node:crypto'
import { and, asc, desc, eq, gt, gte, lt, ne, sql } from 'drizzle-orm'
import type { MessageStatus } from '../../database/schema'
import type { LimitWindow } from '../limits'

export interface TextPart { type: 'text', text: string }

export function textOf(parts: unknown): string {
  return Array.isArray(parts) ? parts.filter((p): p is TextPart => p?.type === 'text').map(p => p.text).join('') : ''
}

const publicColumns = {
  id: tables.messages.id,
  role: tables.messages.role,
  parts: tables.messages.parts,
  status: tables.messages.status,
  error: tables.messages.error,
  createdAt: tables.messages.createdAt,
}

export async function getMessage(chatId: string, messageId: string) {
  const [message] = await useDb().select(publicColumns).from(tables.messages)
    .where(and(eq(tables.messages.id, messageId), eq(tables.messages.chatId, chatId)))
  return message
}

/**
 * A new question in one statement: this request counted against the limits, the question
 * inserted, and its answer's row claimed only when the question is new (a re-sent or foreign id
 * claims nothing) and the limits allow an answer, so a refused request never holds a claim that
 * a concurrent re-send would have to wait for. One round trip and one commit.
 */
export async function askQuestion(input: { chatId: string, questionId: string, answerId: string, text: string, model: string, limits: LimitWindow }) {
  const { messages } = tables
  const { rate, tokens, allowed } = limitCounters(input.limits)
  const parts = JSON.stringify([{ type: 'text', text: input.text }])
  // The answer's row reads the question's RETURNING, so its seq is always drawn after the question's.
  const [row] = await rowsOf<{ requests: string | number, tokens: string | number, claimed: boolean }>(useDb().execute(sql`
    WITH ${rate},
    question AS (
      INSERT INTO ${messages} (id, chat_id, role, parts) VALUES (${input.questionId}, ${input.chatId}, 'user', ${parts}::jsonb)
      ON CONFLICT DO NOTHING
      RETURNING id
    ),
    answer AS (
      INSERT INTO ${messages} (id, chat_id, role, parts, status, model)
      SELECT ${input.answerId}, ${input.chatId}, 'assistant', '[]'::jsonb, 'partial', ${input.model} FROM question
      WHERE ${allowed}
      ON CONFLICT DO NOTHING
      RETURNING id
    )
    SELECT (SELECT count FROM rate) AS requests, ${tokens} AS tokens, EXISTS (SELECT 1 FROM answer) AS claimed`))
  return { usage: { requests: Number(row!.requests), tokens: Number(row!.tokens) }, claimed: row!.claimed }
}

export async function deleteMessage(chatId: string, messageId: string) {
  await useDb().delete(tables.messages).where(and(eq(tables.messages.id, messageId), eq(tables.messages.chatId, chatId)))
}

/** Everything said after the message: what an edit or a regenerate replaces. */
export async function deleteMessagesAfter(chatId: string, messageId: string, options: { including?: boolean } = {}) {
  const db = useDb()
  const [anchor] = await db.select({ seq: tables.messages.seq }).from(tables.messages)
    .where(and(eq(tables.messages.id, messageId), eq(tables.messages.chatId, chatId)))
  if (!anchor) return
  await db.delete(tables.messages).where(and(eq(tables.messages.chatId, chatId), (options.including ? gte : gt)(tables.messages.seq, anchor.seq)))
}

export async function updateMessageText(messageId: string, text: string) {
  await useDb().update(tables.messages).set({ parts: [{ type: 'text', text }] }).where(eq(tables.messages.id, messageId))
}

/** The id of the answer to a question: derived, so that concurrent re-sends agree on it. */
export function answerIdFor(questionId: string): string {
  const hex = createHash('sha256').update(`answer:${questionId}`).digest('hex')
  // Shaped as an RFC 4122 UUID (version 8, "custom"), so it fits the uuid column and our schemas.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/**
 * Stores the answer's row before the first token, as `partial`: only the request whose insert
 * wins may ask the model, and if the process dies mid-answer the chat still shows a cut answer
 * instead of a question left hanging.
 */
export async function claimAnswer(chatId: string, id: string, model: string): Promise<boolean> {
  const inserted = await useDb().insert(tables.messages)
    .values({ id, chatId, role: 'assistant', parts: [], status: 'partial', model })
    .onConflictDoNothing()
    .returning({ id: tables.messages.id })
  return inserted.length > 0
}

export async function saveAssistantMessage(id: string, values: { text: string, status: MessageStatus, error?: string | null, inputTokens?: number, outputTokens?: number }) {
  await useDb().update(tables.messages).set({
    parts: values.text ? [{ type: 'text', text: values.text }] : [],
    status: values.status,
    error: values.error ?? null,
    inputTokens: values.inputTokens,
    outputTokens: values.outputTokens,
  }).where(eq(tables.messages.id, id))
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

/** A page of messages, newest page first, each page in reading order. */
export async function listMessages(chatId: string, options: { limit: number, before?: number }) {
  const { messages } = tables
  const conditions = [eq(messages.chatId, chatId)]
  if (options.before) conditions.push(lt(messages.seq, options.before))
  const rows = await useDb().select({ ...publicColumns, seq: messages.seq }).from(messages)
    .where(and(...conditions))
    .orderBy(desc(messages.seq))
    .limit(options.limit + 1)
  const page = rows.slice(0, options.limit)
  const oldest = page.at(-1)
  return {
    messages: page.reverse().map(({ seq: _seq, ...message }) => message),
    nextCursor: rows.length > options.limit && oldest ? String(oldest.seq) : null,
  }
}
