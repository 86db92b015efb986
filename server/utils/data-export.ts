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

const readme = (at: Date) => `Your data from the internal assistant, exported ${at.toISOString()}.

chats/*.json    each chat with its messages: role, text, status, model and timestamps (UTC)
chats/*.md      the same chats, readable as text
documents/      the documents you uploaded, each file exactly as you uploaded it
documents.json  what each document is: name, type, size, pages, status, where it is kept or
                shared (your library, a chat, a group), when you uploaded it, and its file
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
export async function* dataExportZip(sources: DataExportSources, progress: DataExportProgress = { chats: 0, messages: 0, documents: 0 }): AsyncGenerator<Uint8Array> {
  const ready: Uint8Array[] = []
  let failure: Error | null = null
  const zip = new Zip((error, chunk) => {
    if (error) failure = error
    else ready.push(chunk)
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
  const listed: Array<ExportedDocument & { file: string }> = []
  for await (const { document, content } of sources.documents) {
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
