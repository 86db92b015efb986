import { createHash } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { Citation, MessageStatus } from '../database/schema'
import { tokenUsageWrite, type LimitWindow } from '../utils/limits'

// The SQL of a chat turn. Only server/chat/turn.ts imports this file: it is the one writer of an
// answer's row. Notifications ride in the statement that makes them true, so a listener that
// hears one can read the row and find what it announces (NOTIFY is delivered at commit).

/** Every replica listens here for Stop and for followers asking a turn to publish its text. */
export const CONTROL_CHANNEL = 'chat_turn_control'

/** Where one turn announces its text and its end: `chat_turn_<answer id without dashes>`. */
export function turnChannel(answerId: string): string {
  return `chat_turn_${answerId.replaceAll('-', '')}`
}

export type TurnSignal
  = | { k: 'sync', n: number }
    | { k: 'd', o: number, t: string, rm?: number }
    // A reasoning summary's text from offset `o`; `rm` on the first text delta: how long the reasoning took.
    | { k: 'r', o: number, t: string }
    | { k: 'end' }

export type ControlSignal = { k: 'stop' | 'sync', id: string }

/** The id of the answer to a question: derived, so that concurrent re-sends agree on it. */
export function answerIdFor(questionId: string): string {
  const hex = createHash('sha256').update(`answer:${questionId}`).digest('hex')
  // Shaped as an RFC 4122 UUID (version 8, "custom"), so it fits the uuid column and our schemas.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

const answerColumns = {
  id: tables.messages.id,
  role: tables.messages.role,
  parts: tables.messages.parts,
  citations: tables.messages.citations,
  status: tables.messages.status,
  error: tables.messages.error,
}

export type StoredAnswer = { id: string, role: 'user' | 'assistant', parts: unknown, status: MessageStatus, error: string | null, citations?: Citation[] | null }

export async function getMessage(chatId: string, messageId: string): Promise<StoredAnswer | undefined> {
  const [message] = await prepared('turn_message', (db, name) => db.select(answerColumns).from(tables.messages)
    .where(and(eq(tables.messages.id, sql.placeholder('id')), eq(tables.messages.chatId, sql.placeholder('chatId'))))
    .prepare(name)).execute({ id: messageId, chatId })
  return message as StoredAnswer | undefined
}

/**
 * A new question in one statement: the chat made on its first message (and audited), this request counted
 * against the limits, the question inserted, and its answer's row claimed (as `streaming`) only
 * when the question is new (a re-sent or foreign id claims nothing) and the limits allow an
 * answer. A chat id that is someone else's does nothing but answer `owned: false`. The model is
 * the one asked for (then remembered by the chat), else the chat's own while still configured,
 * else the default; `model` answers which.
 */
export async function askQuestion(input: { userId: string, chatId: string, title: string, questionId: string, answerId: string, text: string, model: ModelChoice, assistant?: { id: string, version: number }, limits: LimitWindow }) {
  const { chats, messages } = tables
  const { rate, tokens, allowed } = limitCounters(input.limits)
  const parts = JSON.stringify([{ type: 'text', text: input.text }])
  // DO UPDATE, not DO NOTHING: when a concurrent first message inserts the chat, DO NOTHING waits
  // for it and then returns no row, and a plain SELECT in this statement cannot see that row (its
  // snapshot is older), so the chat would look foreign. DO UPDATE reads the committed row; its
  // WHERE keeps someone else's chat untouched and unreturned. `xmax = 0` marks a fresh insert.
  // The answer's row reads the question's RETURNING, so its seq is always drawn after the question's.
  const [row] = await rowsOf<{ owned: boolean, model: string, system_prompt: string | null, requests: string | number | null, tokens: string | number, claimed: boolean }>(useDb().execute(sql`
    WITH owned AS (
      INSERT INTO ${chats} AS c (id, user_id, title, model, assistant_id, assistant_version)
      VALUES (${input.chatId}, ${input.userId}, ${input.title}, ${input.model.requested}, ${input.assistant?.id ?? null}::uuid, ${input.assistant?.version ?? null}::int)
      ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, model = coalesce(excluded.model, c.model),
        -- A chat begun by attaching a file (no message yet) takes its title and assistant from this first question.
        title = CASE WHEN EXISTS (SELECT 1 FROM ${messages} m WHERE m.chat_id = c.id) THEN c.title ELSE excluded.title END,
        assistant_id = coalesce(c.assistant_id, CASE WHEN EXISTS (SELECT 1 FROM ${messages} m WHERE m.chat_id = c.id) THEN NULL ELSE excluded.assistant_id END),
        assistant_version = CASE WHEN c.assistant_id IS NULL AND NOT EXISTS (SELECT 1 FROM ${messages} m WHERE m.chat_id = c.id) THEN excluded.assistant_version ELSE c.assistant_version END
      WHERE c.user_id = excluded.user_id
      RETURNING id, xmax = 0 AS created, model, assistant_id, assistant_version
    ),
    chosen AS (
      SELECT coalesce((SELECT model FROM owned WHERE model IN (SELECT jsonb_array_elements_text(${JSON.stringify(input.model.known)}::jsonb))), ${input.model.fallback}) AS model
    ),
    audited AS (${auditInsertWhere({ action: 'chat_created', actorId: input.userId, target: { type: 'chat', id: input.chatId } }, sql`EXISTS (SELECT 1 FROM owned WHERE created)`)}),
    ${rate},
    question AS (
      INSERT INTO ${messages} (id, chat_id, role, parts)
      SELECT ${input.questionId}, ${input.chatId}, 'user', ${parts}::jsonb WHERE EXISTS (SELECT 1 FROM owned)
      ON CONFLICT DO NOTHING
      RETURNING id
    ),
    answer AS (
      INSERT INTO ${messages} (id, chat_id, role, parts, status, model, heartbeat_at)
      SELECT ${input.answerId}, ${input.chatId}, 'assistant', '[]'::jsonb, 'streaming', (SELECT model FROM chosen), now() FROM question
      WHERE ${allowed}
      ON CONFLICT DO NOTHING
      RETURNING id
    )
    SELECT EXISTS (SELECT 1 FROM owned) AS owned, (SELECT model FROM chosen) AS model,
      (SELECT v.system_prompt FROM ${tables.assistantVersions} v JOIN owned o ON v.assistant_id = o.assistant_id AND v.version = o.assistant_version) AS system_prompt,
      (SELECT count FROM rate) AS requests, ${tokens} AS tokens, EXISTS (SELECT 1 FROM answer) AS claimed`))
  return {
    owned: row!.owned,
    model: row!.model,
    /** The prompt of the chat's assistant (the version it was begun with); null: the server's. */
    systemPrompt: row!.system_prompt,
    usage: { requests: Number(row!.requests ?? 0), tokens: Number(row!.tokens) },
    claimed: row!.claimed,
  }
}

/**
 * Claims the answer to a stored question: only the request whose insert wins may ask the model.
 * The row exists before the first token, so a killed process still leaves a visible answer.
 */
/** The model a turn asks for (`requested`, or null), the ids configured, and the default. */
export interface ModelChoice { requested: string | null, known: string[], fallback: string }

/** A chat remembers the model last picked in it. */
export async function setChatModel(chatId: string, model: string): Promise<void> {
  await useDb().update(tables.chats).set({ model }).where(eq(tables.chats.id, chatId))
}

export async function claimAnswer(chatId: string, answerId: string, model: string): Promise<boolean> {
  const inserted = await useDb().insert(tables.messages)
    .values({ id: answerId, chatId, role: 'assistant', parts: [], status: 'streaming', model, heartbeatAt: sql`now()` })
    .onConflictDoNothing()
    .returning({ id: tables.messages.id })
  return inserted.length > 0
}

/** Takes back a claim that will not be answered (the history could not be read). */
export async function releaseClaim(chatId: string, answerId: string): Promise<void> {
  await useDb().delete(tables.messages).where(and(eq(tables.messages.id, answerId), eq(tables.messages.chatId, chatId), eq(tables.messages.status, 'streaming')))
}

export async function updateQuestionText(chatId: string, questionId: string, text: string): Promise<void> {
  await useDb().update(tables.messages).set({ parts: [{ type: 'text', text }] })
    .where(and(eq(tables.messages.id, questionId), eq(tables.messages.chatId, chatId), eq(tables.messages.role, 'user')))
}

/**
 * Everything said after the question, which an edit or a regenerate replaces; refused (false)
 * while an answer in the chat is streaming, so a second regenerate never deletes the first one's
 * claim.
 */
export async function clearAfter(chatId: string, questionId: string): Promise<boolean> {
  const { messages } = tables
  const [row] = await rowsOf<{ busy: boolean }>(useDb().execute(sql`
    WITH busy AS (SELECT 1 FROM ${messages} WHERE chat_id = ${chatId} AND status = 'streaming'),
    anchor AS (SELECT seq FROM ${messages} WHERE id = ${questionId} AND chat_id = ${chatId}),
    gone AS (
      DELETE FROM ${messages} WHERE chat_id = ${chatId} AND seq > (SELECT seq FROM anchor) AND NOT EXISTS (SELECT 1 FROM busy)
    )
    SELECT EXISTS (SELECT 1 FROM busy) AS busy`))
  return !row!.busy
}

/**
 * The answering replica's sign of life, with the text so far when given. Answers whether the
 * turn is still this replica's (not swept as interrupted, its chat not deleted) and whether a
 * Stop was asked. With `syncedLength`, followers hear that the stored text holds that much.
 */
export async function beat(answerId: string, text: string | undefined, syncedLength?: number, reasoning?: { text: string, durationMs?: number }): Promise<{ alive: boolean, stopRequested: boolean }> {
  const { messages } = tables
  const stored = [...(reasoning?.text ? [{ type: 'reasoning', ...reasoning }] : []), ...(text ? [{ type: 'text', text }] : [])]
  const parts = text === undefined ? sql`parts` : sql`${JSON.stringify(stored)}::jsonb`
  const notify = syncedLength === undefined
    ? sql``
    : sql`, pg_notify(${turnChannel(answerId)}, ${JSON.stringify({ k: 'sync', n: syncedLength } satisfies TurnSignal)})`
  const [row] = await rowsOf<{ stop_requested: boolean }>(useDb().execute(sql`
    WITH beat AS (
      UPDATE ${messages} SET parts = ${parts}, heartbeat_at = now()
      WHERE id = ${answerId} AND status = 'streaming'
      RETURNING stop_requested_at
    )
    SELECT stop_requested_at IS NOT NULL AS stop_requested${notify} FROM beat`))
  return { alive: !!row, stopRequested: !!row?.stop_requested }
}

/**
 * How the answer ended, in one statement: stored, announced to its followers, its chat moved to
 * the top of the list, and the tokens it used counted (also when the row was swept meanwhile:
 * they were spent).
 */
export async function finishAnswer(input: { chatId: string, userId: string, answerId: string }, values: { text: string, reasoning?: { text: string, durationMs: number }, status: Exclude<MessageStatus, 'streaming'>, error: string | null, inputTokens?: number, outputTokens?: number, costWeight?: number }): Promise<void> {
  const { chats, messages } = tables
  // A reasoning summary goes first, as it was shown; history reads only the text part.
  const parts = JSON.stringify([
    ...(values.reasoning ? [{ type: 'reasoning', ...values.reasoning }] : []),
    ...(values.text ? [{ type: 'text', text: values.text }] : []),
  ])
  // The quota counts tokens across models; a model with a cost weight counts that much more.
  const usage = tokenUsageWrite(input.userId, Math.ceil(((values.inputTokens ?? 0) + (values.outputTokens ?? 0)) * (values.costWeight ?? 1)))
  // A data-modifying CTE runs whether or not the final SELECT reads it.
  await useDb().execute(sql`
    WITH done AS (
      UPDATE ${messages} SET parts = ${parts}::jsonb, status = ${values.status}, error = ${values.error},
        input_tokens = ${values.inputTokens ?? null}, output_tokens = ${values.outputTokens ?? null}, heartbeat_at = NULL
      WHERE id = ${input.answerId} AND status = 'streaming'
      RETURNING id
    ),
    touched AS (UPDATE ${chats} SET updated_at = now() WHERE id = ${input.chatId})
    ${usage ? sql`, counted AS (${usage})` : sql``}
    SELECT pg_notify(${turnChannel(input.answerId)}, ${JSON.stringify({ k: 'end' } satisfies TurnSignal)}) FROM done`)
}

/** Sends a signal; several go out in the order of the calls only when each is awaited first. */
export async function publish(channel: string, signal: TurnSignal | ControlSignal): Promise<void> {
  await useDb().execute(sql`SELECT pg_notify(${channel}, ${JSON.stringify(signal)})`)
}

/** The answer being written in this user's chat, if any (someone else's chat has none). */
export async function findStreamingAnswer(chatId: string, userId: string): Promise<string | undefined> {
  const { chats, messages } = tables
  const [row] = await prepared('turn_streaming', (db, name) => db.select({ id: messages.id }).from(messages)
    .innerJoin(chats, eq(chats.id, messages.chatId))
    .where(and(eq(messages.chatId, sql.placeholder('chatId')), eq(chats.userId, sql.placeholder('userId')), eq(messages.status, 'streaming')))
    .limit(1)
    .prepare(name)).execute({ chatId, userId })
  return row?.id
}

/** Records a Stop on the chat's streaming answers and tells the replicas; the ids it asked to stop. */
export async function requestStop(chatId: string, userId: string): Promise<string[]> {
  const { chats, messages } = tables
  const rows = await rowsOf<{ id: string }>(useDb().execute(sql`
    WITH asked AS (
      UPDATE ${messages} SET stop_requested_at = now()
      WHERE chat_id = ${chatId} AND status = 'streaming'
        AND EXISTS (SELECT 1 FROM ${chats} WHERE id = ${chatId} AND user_id = ${userId})
      RETURNING id
    )
    SELECT id, pg_notify(${CONTROL_CHANNEL}, json_build_object('k', 'stop', 'id', id)::text) FROM asked`))
  return rows.map(r => r.id)
}

/**
 * Turns whose replica stopped beating (SIGKILL, a lost node, an out-of-memory kill) become
 * `interrupted`, keeping the text they had stored, and their followers hear the end.
 */
export async function sweepInterrupted(staleSeconds: number, error: string): Promise<number> {
  const { messages } = tables
  const rows = await rowsOf<{ id: string }>(useDb().execute(sql`
    WITH swept AS (
      UPDATE ${messages} SET status = 'interrupted', error = ${error}, heartbeat_at = NULL
      WHERE status = 'streaming' AND heartbeat_at <= now() - ${staleSeconds}::int * interval '1 second'
      RETURNING id
    )
    SELECT id, pg_notify('chat_turn_' || replace(id::text, '-', ''), ${JSON.stringify({ k: 'end' } satisfies TurnSignal)}) FROM swept`))
  return rows.length
}
