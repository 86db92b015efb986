import { and, desc, eq, ilike, lt, or, sql } from 'drizzle-orm'
import type { SQL } from 'drizzle-orm'

const chatColumns = {
  id: tables.chats.id,
  title: tables.chats.title,
  model: tables.chats.model,
  assistantId: tables.chats.assistantId,
  assistantVersion: tables.chats.assistantVersion,
  createdAt: tables.chats.createdAt,
  updatedAt: tables.chats.updatedAt,
}

export type ChatSummary = { id: string, title: string, model: string | null, assistantId: string | null, assistantVersion: number | null, createdAt: Date, updatedAt: Date }

/** The chat, only if it belongs to this user: someone else's chat is indistinguishable from none. */
export async function getChatForUser(chatId: string, userId: string): Promise<ChatSummary | undefined> {
  const [chat] = await prepared('chat_for_user', (db, name) => db.select(chatColumns).from(tables.chats)
    .where(and(eq(tables.chats.id, sql.placeholder('chatId')), eq(tables.chats.userId, sql.placeholder('userId'))))
    .prepare(name)).execute({ chatId, userId })
  return chat
}

export async function requireChat(chatId: string, userId: string) {
  const chat = await getChatForUser(chatId, userId)
  if (!chat) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.chat') })
  return chat
}

/**
 * Creates the chat on its first message; an id already taken by anyone else's chat is a 404.
 * `known` is what getChatForUser already found for this user (null: nothing), to skip the read.
 */
export async function ensureChat(chatId: string, userId: string, firstMessage: string, known?: ChatSummary | null): Promise<ChatSummary> {
  // Most messages go to an existing chat: one read, and the insert only for a new one.
  const existing = known === undefined ? await getChatForUser(chatId, userId) : known
  if (existing) return existing
  const [created] = await useDb().insert(tables.chats).values({ id: chatId, userId, title: titleFrom(firstMessage) })
    .onConflictDoNothing().returning(chatColumns)
  // Lost a race with our own other request, or the id is someone else's.
  if (!created) return requireChat(chatId, userId)
  await recordAudit({ action: 'chat_created', actorId: userId, target: { type: 'chat', id: chatId } })
  return created
}

export function titleFrom(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  if (line.length <= 60) return line || 'New chat'
  const cut = line.slice(0, 60)
  return `${cut.slice(0, cut.lastIndexOf(' ') > 30 ? cut.lastIndexOf(' ') : 60)}…`
}

export interface Cursor { at: Date, id: string }

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url')
}

export function decodeCursor(value: string | undefined): Cursor | undefined {
  if (!value) return undefined
  const [at, id] = Buffer.from(value, 'base64url').toString('utf8').split('|')
  const date = new Date(at ?? '')
  if (!id || Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: say('request.invalidCursor') })
  }
  return { at: date, id }
}

/** Newest first, keyset-paginated on (updated_at, id) so pages never skip or repeat a row. */
export async function listChats(userId: string, options: { limit: number, cursor?: Cursor, search?: string }) {
  const { chats } = tables
  // The sidebar's first page, the most frequent authenticated read, is prepared.
  const rows = !options.search && !options.cursor
    ? await prepared('chats_first_page', (db, name) => db.select(chatColumns).from(chats)
        .where(eq(chats.userId, sql.placeholder('userId')))
        .orderBy(desc(chats.updatedAt), desc(chats.id))
        .limit(sql.placeholder('limit'))
        .prepare(name)).execute({ userId, limit: options.limit + 1 })
    : await chatsPage(userId, options)
  const page = rows.slice(0, options.limit).map(({ snippet, ...chat }: ChatSummary & { snippet?: string | null }) => {
    if (!options.search) return chat
    // A title that matches says enough: the snippet is for hits inside the conversation.
    const inTitle = chat.title.toLowerCase().includes(options.search.toLowerCase())
    return { ...chat, snippet: inTitle ? null : snippetParts(snippet ?? null) }
  })
  const last = page.at(-1)
  return { chats: page, nextCursor: rows.length > options.limit && last ? encodeCursor(last.updatedAt, last.id) : null }
}

function chatsPage(userId: string, options: { limit: number, cursor?: Cursor, search?: string }) {
  const { chats } = tables
  const conditions = [eq(chats.userId, userId)]
  const query = options.search ? searchQuery(options.search) : undefined
  if (options.search) {
    const inTitle = ilike(chats.title, `%${options.search.replace(/[\\%_]/g, c => `\\${c}`)}%`)
    // Per chat, newest first, until the page is full: the user's own messages only, never every
    // user's matches (measured in the README's Performance section).
    conditions.push(query ? or(inTitle, sql`EXISTS (SELECT 1 FROM messages m WHERE m.chat_id = "chats"."id" AND m.search @@ ${query})`)! : inTitle)
  }
  if (options.cursor) {
    conditions.push(or(lt(chats.updatedAt, options.cursor.at), and(eq(chats.updatedAt, options.cursor.at), lt(chats.id, options.cursor.id)))!)
  }
  return useDb().select({ ...chatColumns, snippet: query ? snippetOf(query) : sql<null>`NULL` })
    .from(chats)
    .where(and(...conditions))
    .orderBy(desc(chats.updatedAt), desc(chats.id))
    .limit(options.limit + 1)
}

/**
 * The words of a search as a full-text query: in this order, the last one also as the start of
 * a word (the sidebar searches as the user types). Only letters and digits reach to_tsquery, so
 * nothing typed can be query syntax. Undefined when nothing is left to search for.
 */
export function searchQuery(text: string): SQL | undefined {
  const words = text.match(/[\p{L}\p{N}]+/gu)
  if (!words?.length) return undefined
  return sql`to_tsquery('english', ${`${words.join(' <-> ')}:*`})`
}

// Mark what matched in a snippet; taken out of the text first, so only ts_headline's remain.
// (Control characters: PGlite drops characters from Unicode's private use area here.)
const MATCH_START = '\x01'
const MATCH_END = '\x02'

/** The newest message of the chat that matches, cut to the words around the match. */
function snippetOf(query: SQL) {
  const options = `MaxFragments=1, MaxWords=16, MinWords=6, StartSel=${MATCH_START}, StopSel=${MATCH_END}`
  const text = sql`(SELECT translate(string_agg(part->>'text', ' '), ${MATCH_START + MATCH_END}, '') FROM jsonb_array_elements(m.parts) AS part WHERE part->>'type' = 'text')`
  // "chats"."id" spelled out: drizzle leaves the columns of a one-table select unqualified, and
  // inside this subquery a bare "id" would be the message's.
  return sql<string | null>`(
    SELECT ts_headline('english', ${text}, ${query}, ${options})
    FROM messages m WHERE m.chat_id = "chats"."id" AND m.search @@ ${query}
    ORDER BY m.seq DESC LIMIT 1)`
}

export interface SnippetPart { text: string, match: boolean }

/** A snippet as plain parts, the matching words marked, for the client to render as text. */
export function snippetParts(snippet: string | null): SnippetPart[] | null {
  if (!snippet) return null
  const parts: SnippetPart[] = []
  for (const [i, piece] of snippet.split(MATCH_START).entries()) {
    const [matched, rest] = i === 0 ? [undefined, piece] : piece.split(MATCH_END) as [string, string | undefined]
    if (matched) parts.push({ text: matched, match: true })
    if (rest) parts.push({ text: rest, match: false })
  }
  return parts
}
