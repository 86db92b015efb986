import { sql, type SQL } from 'drizzle-orm'
import { listableBy, readableBy, type DocumentReader } from './access'

export interface DocumentSummary {
  id: string
  name: string
  mediaType: string
  sizeBytes: number
  pages: number | null
  scope: 'chat' | 'me' | 'group'
  chatId: string | null
  groupId: string | null
  status: 'queued' | 'extracting' | 'indexing' | 'ready' | 'failed'
  error: string | null
  ownerId: string
  chunks: number
  createdAt: string
  updatedAt: string
}

// Written out in SQL: the postgres driver reads timestamptz as a Date, PGlite here as PostgreSQL's text.
const isoInstant = (column: SQL) => sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

const summaryColumns = sql`d.id, d.name, d.media_type AS "mediaType", d.size_bytes AS "sizeBytes", d.pages, d.scope,
  d.chat_id AS "chatId", d.group_id AS "groupId", d.status, d.error, d.owner_id AS "ownerId",
  (SELECT count(*)::int FROM document_chunks c WHERE c.document_id = d.id) AS chunks,
  ${isoInstant(sql`d.created_at`)} AS "createdAt", ${isoInstant(sql`d.updated_at`)} AS "updatedAt"`

/** The documents a user may see (theirs, their chats', their groups'), newest first; the file itself stays out. */
export function listDocuments(reader: Omit<DocumentReader, 'chatId'>, options: { chatId?: string } = {}): Promise<DocumentSummary[]> {
  const inChat = options.chatId ? sql`AND d.scope = 'chat' AND d.chat_id = ${options.chatId}` : sql``
  return rowsOf<DocumentSummary>(useDb().execute(sql`SELECT ${summaryColumns} FROM documents d
    WHERE ${listableBy(reader)} ${inChat} ORDER BY d.created_at DESC, d.id LIMIT 500`))
}

/** One document the user may see, or undefined (the route answers 404 for "not yours" and "gone" alike). */
export async function findDocument(reader: Omit<DocumentReader, 'chatId'>, id: string): Promise<DocumentSummary | undefined> {
  const rows = await rowsOf<DocumentSummary>(useDb().execute(sql`SELECT ${summaryColumns} FROM documents d
    WHERE d.id = ${id} AND ${listableBy(reader)}`))
  return rows[0]
}

/** How many ready documents each library the reader may search holds: "me", and their groups' ids. */
export async function readyDocumentsPerLibrary(reader: Omit<DocumentReader, 'chatId'>): Promise<Map<string, number>> {
  const rows = await rowsOf<{ library: string, documents: number }>(useDb().execute(sql`SELECT
    CASE WHEN d.scope = 'me' THEN 'me' ELSE d.group_id END AS library, count(*)::int AS documents
    FROM documents d WHERE d.status = 'ready' AND ${readableBy(reader)} GROUP BY 1`))
  return new Map(rows.map(row => [row.library, row.documents]))
}
