import type { Citation } from '../../database/schema'
import { and, asc, desc, eq, inArray, lt, or } from 'drizzle-orm'

/** One message as an export carries it; `citations` only on a grounded answer, as stored with it. */
export interface ExportedMessage {
  id: string
  role: 'user' | 'assistant'
  text: string
  status: string
  error: string | null
  model: string | null
  createdAt: string
  citations?: Citation[]
}

export interface ExportedChat {
  id: string
  title: string
  model: string | null
  createdAt: string
  updatedAt: string
  messages: ExportedMessage[]
}

const messageColumns = {
  id: tables.messages.id,
  chatId: tables.messages.chatId,
  role: tables.messages.role,
  parts: tables.messages.parts,
  status: tables.messages.status,
  error: tables.messages.error,
  model: tables.messages.model,
  citations: tables.messages.citations,
  createdAt: tables.messages.createdAt,
}

type MessageRow = { id: string, chatId: string, role: 'user' | 'assistant', parts: unknown, status: string, error: string | null, model: string | null, citations: Citation[] | null, createdAt: Date }

function exported(row: MessageRow): ExportedMessage {
  return {
    id: row.id,
    role: row.role,
    text: textOf(row.parts),
    status: row.status,
    error: row.error,
    model: row.model,
    createdAt: row.createdAt.toISOString(),
    ...(row.citations?.length ? { citations: row.citations } : {}),
  }
}

const chatColumns = {
  id: tables.chats.id,
  title: tables.chats.title,
  model: tables.chats.model,
  createdAt: tables.chats.createdAt,
  updatedAt: tables.chats.updatedAt,
}

type ChatRow = { id: string, title: string, model: string | null, createdAt: Date, updatedAt: Date }

function withMessages(chat: ChatRow, messages: MessageRow[]): ExportedChat {
  return {
    id: chat.id,
    title: chat.title,
    model: chat.model,
    createdAt: chat.createdAt.toISOString(),
    updatedAt: chat.updatedAt.toISOString(),
    messages: messages.map(exported),
  }
}

/** One of the user's chats with all its messages in conversation order; undefined when not theirs. */
export async function exportChat(chatId: string, userId: string): Promise<ExportedChat | undefined> {
  const { chats, messages } = tables
  const [chat] = await useDb().select(chatColumns).from(chats).where(and(eq(chats.id, chatId), eq(chats.userId, userId)))
  if (!chat) return undefined
  const rows = await useDb().select(messageColumns).from(messages).where(eq(messages.chatId, chatId)).orderBy(asc(messages.seq))
  return withMessages(chat, rows)
}

/**
 * Every chat of the user, newest first, one page of chats (and their messages) read at a time:
 * the consumer pulls, so a user with thousands of chats never has more than a page in memory.
 */
export async function* exportChatsOf(userId: string, pageSize = 50): AsyncGenerator<ExportedChat> {
  const { chats, messages } = tables
  let after: { at: Date, id: string } | undefined
  for (;;) {
    const conditions = [eq(chats.userId, userId)]
    if (after) conditions.push(or(lt(chats.updatedAt, after.at), and(eq(chats.updatedAt, after.at), lt(chats.id, after.id)))!)
    const page = await useDb().select(chatColumns).from(chats)
      .where(and(...conditions))
      .orderBy(desc(chats.updatedAt), desc(chats.id))
      .limit(pageSize)
    if (!page.length) return
    const rows = await useDb().select(messageColumns).from(messages)
      .where(inArray(messages.chatId, page.map(c => c.id)))
      .orderBy(asc(messages.chatId), asc(messages.seq))
    const byChat = new Map<string, MessageRow[]>()
    for (const row of rows) byChat.set(row.chatId, [...byChat.get(row.chatId) ?? [], row])
    for (const chat of page) yield withMessages(chat, byChat.get(chat.id) ?? [])
    if (page.length < pageSize) return
    const last = page.at(-1)!
    after = { at: last.updatedAt, id: last.id }
  }
}
