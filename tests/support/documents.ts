import type { DocumentSummary } from '../../server/documents/queries'
import type { HttpClient } from './http-client'
import { api } from './stack'

/** A document as GET /api/documents/:id answers it. */
export type StoredDocument = DocumentSummary

/** Uploads a file as the Documents page does: multipart, with `scope` and `chatId` or `groupId`. */
export function uploadDocument(app: { url: string }, client: HttpClient, name: string, bytes: Uint8Array | string, fields: Record<string, string> = {}) {
  const form = new FormData()
  for (const [key, value] of Object.entries(fields)) form.set(key, value)
  form.set('file', new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)]), name)
  return api(client, `${app.url}/api/documents`, { method: 'POST', body: form, headers: { origin: app.url } })
}

/** Reads the document until its ingestion has ended, ready or failed. */
export async function waitUntilProcessed(app: { url: string }, client: HttpClient, id: string): Promise<StoredDocument> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const { status, json } = await api(client, `${app.url}/api/documents/${id}`)
    if (status !== 200) throw new Error(`GET /api/documents/${id} answered ${status}`)
    if (json.status === 'ready' || json.status === 'failed') return json as StoredDocument
    if (Date.now() > deadline) throw new Error(`Document ${id} still ${json.status}`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}
