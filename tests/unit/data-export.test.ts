import { strFromU8, unzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { dataExportZip } from '../../server/utils/data-export'
import type { ExportedDocument, ExportedDocumentFile } from '../../server/utils/queries/document-export'

const document = (n: number, sizeBytes: number): ExportedDocument => ({
  id: `doc-${n}`, name: `report-${n}.pdf`, mediaType: 'application/pdf', sizeBytes, pages: 1, status: 'ready', error: null,
  scope: 'me', chat: null, groupId: null, createdAt: '2026-12-06T10:00:00.000Z',
})

async function* from<T>(items: T[]) {
  yield* items
}

async function zipOf(documents: ExportedDocumentFile[], maxBytes: number) {
  const parts: Uint8Array[] = []
  for await (const part of dataExportZip({ chats: from([]), documents: from(documents) }, undefined, maxBytes)) parts.push(part)
  return unzipSync(Buffer.concat(parts))
}

describe('the data export ZIP', () => {
  it('leaves out, and says so, a document that would take the ZIP past what its format holds', async () => {
    const bytes = (n: number) => new Uint8Array(10_000).fill(n)
    const read: string[] = []
    const files = [1, 2, 3].map(n => ({
      document: document(n, 10_000),
      content: (async function* () {
        read.push(`doc-${n}`)
        yield bytes(n)
      })(),
    }))
    const zip = await zipOf(files, 25_000)
    expect(Object.keys(zip).filter(name => name.startsWith('documents/')).sort()).toEqual(['documents/report-1.pdf', 'documents/report-2.pdf'])
    expect(zip['documents/report-2.pdf']).toEqual(bytes(2))
    const listed = JSON.parse(strFromU8(zip['documents.json']!)) as Array<{ id: string, file: string | null, leftOut?: string }>
    expect(listed.map(d => [d.id, d.file])).toEqual([['doc-1', 'documents/report-1.pdf'], ['doc-2', 'documents/report-2.pdf'], ['doc-3', null]])
    expect(listed[2]!.leftOut).toMatch(/past 4 GB/)
    // The file left out is not even read from the database.
    expect(read).toEqual(['doc-1', 'doc-2'])
  })
})
