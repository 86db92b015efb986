import { Zip, ZipPassThrough } from 'fflate'
import { chatFileName, chatMarkdown } from './chat-export-format'
import type { ExportedChat } from './queries/chat-export'

// Explicit imports only: unit tests load this file without Nitro's auto-imports.

export interface DataExportProgress { chats: number, messages: number }

const encoder = new TextEncoder()

const readme = (at: Date) => `Your data from the internal assistant, exported ${at.toISOString()}.

chats/*.json  each chat with its messages: role, text, status, model and timestamps (UTC)
chats/*.md    the same chats, readable as text
`

/**
 * A ZIP of the given chats (each as JSON and as Markdown), produced as the chats are pulled. fflate
 * hands out each file's bytes at once, so after each file the generator yields what is ready and
 * reads the next chat only when the response asks for more: memory holds one chat's bytes (and
 * the archive's directory, about 100 bytes a file), however many chats there are.
 *
 * Files are stored, not deflated: fflate's ZipDeflate sets up about 250 KB of tables per file,
 * which for 10,000 small files cost seconds of CPU and over 100 MB of resident memory in the test
 * with 5,000 chats (tests/server/export.test.ts prints the figures); stored, the export takes a
 * fraction of that. Text compresses about fourfold, so the download is larger instead.
 */
export async function* dataExportZip(chats: AsyncIterable<ExportedChat>, progress: DataExportProgress = { chats: 0, messages: 0 }): AsyncGenerator<Uint8Array> {
  const ready: Uint8Array[] = []
  let failure: Error | null = null
  const zip = new Zip((error, chunk) => {
    if (error) failure = error
    else ready.push(chunk)
  })
  const add = (name: string, text: string) => {
    const file = new ZipPassThrough(name)
    zip.add(file)
    file.push(encoder.encode(text), true)
  }
  function* drain() {
    if (failure) throw failure
    while (ready.length) yield ready.shift()!
  }

  add('README.txt', readme(new Date()))
  yield* drain()
  for await (const chat of chats) {
    add(`chats/${chatFileName(chat, 'json')}`, `${JSON.stringify(chat, null, 2)}\n`)
    add(`chats/${chatFileName(chat, 'md')}`, chatMarkdown(chat))
    progress.chats++
    progress.messages += chat.messages.length
    yield* drain()
  }
  zip.end()
  yield* drain()
}
