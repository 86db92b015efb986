import { sql, type SQL } from 'drizzle-orm'

/** Whose documents a request may read: the asker, their Entra groups, and the chat it is about. */
export interface DocumentReader {
  userId: string
  /** Entra group object ids of the asker (CurrentUser.groups). */
  groupIds: string[]
  /** The chat being answered: its attached documents are readable in it only. */
  chatId?: string
  /** Whether the reader's own library takes part (default: yes). */
  ownLibrary?: boolean
}

const jsonList = (values: string[]) => sql`(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`

/**
 * The WHERE condition on `documents` (aliased `d`) that lets a reader see exactly what they may:
 * their library, their chat's attachments (in that chat only), their groups' libraries. Every read
 * of documents and chunks goes through it, so access is decided by the database, once.
 */
export function readableBy(reader: DocumentReader): SQL {
  const inChat = reader.chatId
    ? sql`OR (d.scope = 'chat' AND d.owner_id = ${reader.userId} AND d.chat_id = ${reader.chatId})`
    : sql``
  const inGroups = reader.groupIds.length
    ? sql`OR (d.scope = 'group' AND d.group_id IN ${jsonList(reader.groupIds)})`
    : sql``
  const own = reader.ownLibrary === false ? sql`FALSE` : sql`(d.scope = 'me' AND d.owner_id = ${reader.userId})`
  return sql`(${own} ${inChat} ${inGroups})`
}

/**
 * As readableBy for listing and opening documents by id: a user also sees the attachments of all
 * of their own chats (the Documents page lists them), never another user's.
 */
export function listableBy(reader: Omit<DocumentReader, 'chatId'>): SQL {
  const inGroups = reader.groupIds.length
    ? sql`OR (d.scope = 'group' AND d.group_id IN ${jsonList(reader.groupIds)})`
    : sql``
  return sql`(d.owner_id = ${reader.userId} ${inGroups})`
}

export { jsonList }
