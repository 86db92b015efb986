import { Readable } from 'node:stream'
import type { H3Event } from 'h3'

/**
 * Streams all of a user's chats and the documents they uploaded as a ZIP download, and audits it
 * once it ends: who exported whose data, how much, and whether the client took all of it.
 * `actorId` differs from `userId` when an administrator exports someone's data for a data-subject
 * request.
 */
export function sendDataExport(event: H3Event, subject: { id: string, name: string | null }, actorId: string) {
  const progress: DataExportProgress = { chats: 0, messages: 0, documents: 0 }
  let complete = false
  async function* audited() {
    try {
      yield* dataExportZip({ chats: exportChatsOf(subject.id), documents: exportDocumentsOf(subject.id) }, progress)
      complete = true
    }
    finally {
      await recordAudit({
        action: 'data_exported',
        outcome: complete ? 'success' : 'failure',
        actorId,
        target: { type: 'user', id: subject.id },
        details: { ...progress, forRequest: actorId !== subject.id },
        event,
      }).catch((error: unknown) => taggedLogger('audit').error(`Could not record the data export: ${(error as Error).message}`))
    }
  }
  const stream = Readable.from(audited(), { objectMode: false })
  // A client that goes away stops the reads (and the generator's finally records it).
  event.node.res.once('close', () => stream.destroy())

  const stamp = new Date().toISOString().slice(0, 10)
  setResponseHeaders(event, {
    'Content-Type': 'application/zip',
    'Content-Disposition': `attachment; filename="assistant-data-${stamp}.zip"`,
    'Cache-Control': 'no-store',
  })
  return sendStream(event, stream)
}
