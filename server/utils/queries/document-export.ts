import type { DocumentScope, DocumentStatus } from '../../database/schema'
import { and, asc, eq, gt, or, sql } from 'drizzle-orm'

/** One document as an export lists it (documents.json); its file travels beside it. */
export interface ExportedDocument {
  id: string
  name: string
  mediaType: string
  sizeBytes: number
  pages: number | null
  status: DocumentStatus
  error: string | null
  /** Where it sits: the owner's library (`me`), one of their chats (`chat`) or a group's (`group`). */
  scope: DocumentScope
  chat: { id: string, title: string } | null
  groupId: string | null
  createdAt: string
}

export interface ExportedDocumentFile {
  document: ExportedDocument
  /** The file, a slice at a time, read as it is consumed. */
  content: AsyncIterable<Uint8Array>
}

// A file is read in slices, not whole: postgres.js receives bytea as hex text and buffers the whole
// row before parsing it, so one file read at once passes through several times its size in buffers
// and strings (up to DOCUMENT_MAX_MB each). PostgreSQL reads just the slice of a value stored
// uncompressed, as PDF and Word files are (they do not compress); a compressed one is decompressed
// up to the slice's end.
const SLICE_BYTES = 1024 * 1024

const columns = {
  id: tables.documents.id,
  name: tables.documents.name,
  mediaType: tables.documents.mediaType,
  sizeBytes: tables.documents.sizeBytes,
  pages: tables.documents.pages,
  status: tables.documents.status,
  error: tables.documents.error,
  scope: tables.documents.scope,
  chatId: tables.documents.chatId,
  chatTitle: tables.chats.title,
  groupId: tables.documents.groupId,
  createdAt: tables.documents.createdAt,
}

type DocumentRow = Omit<ExportedDocument, 'chat' | 'createdAt'> & { chatId: string | null, chatTitle: string | null, createdAt: Date }

function exported(row: DocumentRow): ExportedDocument {
  return {
    id: row.id,
    name: row.name,
    mediaType: row.mediaType,
    sizeBytes: row.sizeBytes,
    pages: row.pages,
    status: row.status,
    error: row.error,
    scope: row.scope,
    chat: row.chatId ? { id: row.chatId, title: row.chatTitle ?? '' } : null,
    groupId: row.groupId,
    createdAt: row.createdAt.toISOString(),
  }
}

/** Bytes `offset` to `offset + SLICE_BYTES` of one of the user's documents; undefined when it is gone. */
async function sliceOf(userId: string, id: string, offset: number): Promise<Buffer | undefined> {
  const { documents } = tables
  const [row] = await useDb()
    .select({ bytes: sql`substring(${documents.content} FROM ${offset + 1}::int FOR ${SLICE_BYTES}::int)`.mapWith(documents.content) })
    .from(documents)
    .where(and(eq(documents.id, id), eq(documents.ownerId, userId)))
  return row?.bytes
}

async function* slicesFrom(first: Buffer, userId: string, id: string): AsyncGenerator<Uint8Array> {
  let slice = first
  for (let offset = SLICE_BYTES; ; offset += SLICE_BYTES) {
    yield slice
    if (slice.length < SLICE_BYTES) return
    const next = await sliceOf(userId, id, offset)
    // Half a file cannot be taken back out of the ZIP: the export fails (and is audited so).
    if (!next) throw new Error(`Document ${id} was deleted while it was being exported`)
    if (!next.length) return
    slice = next
  }
}

/**
 * Every document the user uploaded, oldest first: their library, their chats' attachments and
 * what they shared with a group (never a group's document someone else uploaded). A page of
 * descriptions is read at a time, and each file slice by slice as it is consumed: a user with
 * hundreds of 25 MB files never has more than a slice of one of them in memory.
 */
export async function* exportDocumentsOf(userId: string, pageSize = 100): AsyncGenerator<ExportedDocumentFile> {
  const { documents, chats } = tables
  let after: { at: Date, id: string } | undefined
  for (;;) {
    const conditions = [eq(documents.ownerId, userId)]
    if (after) conditions.push(or(gt(documents.createdAt, after.at), and(eq(documents.createdAt, after.at), gt(documents.id, after.id)))!)
    const page = await useDb().select(columns).from(documents)
      .leftJoin(chats, and(eq(chats.id, documents.chatId), eq(chats.userId, userId)))
      .where(and(...conditions))
      .orderBy(asc(documents.createdAt), asc(documents.id))
      .limit(pageSize)
    if (!page.length) return
    for (const row of page) {
      const first = await sliceOf(userId, row.id, 0)
      if (!first) continue // deleted since the page was read
      yield { document: exported(row), content: slicesFrom(first, userId, row.id) }
    }
    if (page.length < pageSize) return
    const last = page.at(-1)!
    after = { at: last.createdAt, id: last.id }
  }
}
