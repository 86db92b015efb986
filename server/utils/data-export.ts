import { Zip, ZipPassThrough } from 'fflate'
import { chatFileName, chatMarkdown } from './chat-export-format'
import { documentFileNamer } from './document-file-name'
import type { ExportedChat } from './queries/chat-export'
import type { ExportedDocument, ExportedDocumentFile } from './queries/document-export'

// Explicit imports only: unit tests load this file without Nitro's auto-imports.

export interface DataExportProgress { chats: number, messages: number, documents: number }

export interface DataExportSources {
  chats: AsyncIterable<ExportedChat>
  documents: AsyncIterable<ExportedDocumentFile>
}

const encoder = new TextEncoder()

// fflate writes classic ZIP, without the ZIP64 extension: no file may begin past 4 GiB and the
// directory at the end must too. Kept well below, with room for documents.json and the directory.
export const ZIP_MAX_BYTES = 4_200_000_000
const LEFT_OUT = 'Left out of this ZIP: it would have grown past 4 GB, the most the format holds. Remove documents you no longer need and export again to get it.'

const readme = (at: Date) => `Your data from the internal assistant, exported ${at.toISOString()}.

chats/*.json    each chat with its messages: role, text, status, model and timestamps (UTC)
chats/*.md      the same chats, readable as text
documents/      the documents you uploaded, each file exactly as you uploaded it
documents.json  what each document is: name, type, size, pages, status, where it is kept or
                shared (your library, a chat, a group), when you uploaded it, and its file
                (none, with the reason, for one left out because the ZIP would pass 4 GB)
`

/**
 * A ZIP of the given chats (each as JSON and as Markdown) and documents (each original file, then
 * documents.json describing them), produced as they are pulled. fflate hands out each file's bytes
 * at once, so after each file (or slice of a document) the generator yields what is ready and
 * reads on only when the response asks for more: memory holds one chat or one slice of a document
 * (and the archive's directory, about 100 bytes a file), however many and however large they are.
 *
 * Files are stored, not deflated: fflate's ZipDeflate sets up about 250 KB of tables per file,
 * which for 10,000 small files cost seconds of CPU and over 100 MB of resident memory in the test
 * with 5,000 chats (tests/server/export.test.ts prints the figures); stored, the export takes a
 * fraction of that. Text compresses about fourfold, so the download is larger instead.
 */
export async function* dataExportZip(sources: DataExportSources, progress: DataExportProgress = { chats: 0, messages: 0, documents: 0 }, maxBytes = ZIP_MAX_BYTES): AsyncGenerator<Uint8Array> {
  const ready: Uint8Array[] = []
  let failure: Error | null = null
  let written = 0
  const zip = new Zip((error, chunk) => {
    if (error) failure = error
    else {
      written += chunk.length
      ready.push(chunk)
    }
  })
  const open = (name: string, modified?: Date) => {
    const file = new ZipPassThrough(name)
    if (modified) file.mtime = modified
    zip.add(file)
    return file
  }
  const add = (name: string, text: string) => open(name).push(encoder.encode(text), true)
  function* drain() {
    if (failure) throw failure
    while (ready.length) yield ready.shift()!
  }

  add('README.txt', readme(new Date()))
  yield* drain()
  for await (const chat of sources.chats) {
    add(`chats/${chatFileName(chat, 'json')}`, `${JSON.stringify(chat, null, 2)}\n`)
    add(`chats/${chatFileName(chat, 'md')}`, chatMarkdown(chat))
    progress.chats++
    progress.messages += chat.messages.length
    yield* drain()
  }
  // Names as the user gave them, made safe and told apart; documents.json says which is which.
  const fileName = documentFileNamer()
  const listed: Array<ExportedDocument & { file: string | null, leftOut?: string }> = []
  for await (const { document, content } of sources.documents) {
    // A local header is 30 bytes and the name; 1 KB more leaves room for documents.json's entry.
    if (written + document.sizeBytes + 1024 > maxBytes) {
      listed.push({ ...document, file: null, leftOut: LEFT_OUT })
      continue
    }
    const file = `documents/${fileName(document.name)}`
    const entry = open(file, new Date(document.createdAt))
    for await (const slice of content) {
      entry.push(slice)
      yield* drain()
    }
    entry.push(new Uint8Array(0), true)
    listed.push({ ...document, file })
    progress.documents++
    yield* drain()
  }
  add('documents.json', `${JSON.stringify(listed, null, 2)}\n`)
  zip.end()
  yield* drain()
}
