import { sql } from 'drizzle-orm'
import { chunkSections } from './chunk'
import { documentKinds, type DocumentKind } from './detect'
import { embedTexts } from './embed'
import { extractDocument, UnreadableDocumentError } from './extract'

const logger = taggedLogger('documents')

/** A failure the user can act on (the file is at fault): the job is not tried again. */
export class DocumentRejectedError extends Error {}

const kindOf = (mediaType: string) => (Object.entries(documentKinds).find(([, type]) => type === mediaType)?.[0] ?? 'text') as DocumentKind

async function setStatus(id: string, status: 'extracting' | 'indexing', pages?: number | null) {
  await useDb().execute(sql`UPDATE documents SET status = ${status}, pages = coalesce(${pages ?? null}::int, pages), updated_at = now() WHERE id = ${id}`)
}

/**
 * Turns one queued document into searchable chunks: extract (pages and headings kept), cut into
 * chunks, embed, and store the chunks and the `ready` status in one transaction, so a document is
 * either fully searchable or not at all. Run again after a crash it starts over cleanly.
 */
export async function ingestDocument(id: string, signal?: AbortSignal): Promise<void> {
  const rows = await rowsOf<{ content: Buffer | Uint8Array, media_type: string, name: string }>(
    useDb().execute(sql`SELECT content, media_type, name FROM documents WHERE id = ${id}`))
  const document = rows[0]
  if (!document) return // deleted meanwhile; its job went with it
  const { maxPages, searchLanguage } = useServerConfig().documents
  await setStatus(id, 'extracting')
  const extracted = await extractDocument(new Uint8Array(document.content), kindOf(document.media_type)).catch((error: unknown) => {
    throw error instanceof UnreadableDocumentError ? new DocumentRejectedError(error.message) : error
  })
  if (extracted.pages && extracted.pages > maxPages) {
    throw new DocumentRejectedError(`The document has ${extracted.pages} pages; the limit is ${maxPages} pages (DOCUMENT_MAX_PAGES).`)
  }
  const chunks = chunkSections(extracted.sections)
  if (!chunks.length) throw new DocumentRejectedError('No text was found in the document (a scanned PDF needs text recognition first).')
  await setStatus(id, 'indexing', extracted.pages)
  // The heading travels with the text into the embedding: it often names what the text is about.
  const embeddings = await embedTexts(chunks.map(c => (c.heading ? `${c.heading}\n${c.text}` : c.text)), signal)
  signal?.throwIfAborted()
  await useDb().transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM document_chunks WHERE document_id = ${id}`)
    // One statement for all chunks: a 500-page document is one round trip, not thousands.
    await tx.execute(sql`INSERT INTO document_chunks (document_id, ordinal, page, heading, text, embedding, language)
      SELECT ${id}, c.ordinal, c.page, c.heading, c.text, c.embedding::vector, ${searchLanguage}::regconfig
      FROM jsonb_to_recordset(${JSON.stringify(chunks.map((c, i) => ({ ...c, embedding: `[${embeddings[i]!.join(',')}]` })))}::jsonb)
        AS c(ordinal int, page int, heading text, text text, embedding text)`)
    await tx.execute(sql`UPDATE documents SET status = 'ready', error = NULL, updated_at = now() WHERE id = ${id}`)
    await tx.execute(sql`DELETE FROM document_jobs WHERE document_id = ${id}`)
  })
  logger.info(`Document ${id} ready: ${chunks.length} chunks${extracted.pages ? ` from ${extracted.pages} pages` : ''}`)
}

/** Marks a document failed with a sentence for its owner, and drops its job and any chunks. */
export async function failDocument(id: string, reason: string): Promise<void> {
  await useDb().transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM document_chunks WHERE document_id = ${id}`)
    await tx.execute(sql`UPDATE documents SET status = 'failed', error = ${reason}, updated_at = now() WHERE id = ${id}`)
    await tx.execute(sql`DELETE FROM document_jobs WHERE document_id = ${id}`)
  })
}
