import { createUIMessageStream, createUIMessageStreamResponse, type UIMessage } from 'ai'

/** Sends a stored answer in the same UI-message stream format as a live one. */
export function replayAnswer(userMessage: UIMessage, stored: { id: string, parts: unknown, status: string, error: string | null }) {
  const text = textOf(stored.parts)
  const stream = createUIMessageStream({
    originalMessages: [userMessage],
    generateId: () => stored.id,
    execute: ({ writer }) => {
      writer.write({ type: 'start', messageId: stored.id })
      writer.write({ type: 'text-start', id: 'replay' })
      if (text) writer.write({ type: 'text-delta', id: 'replay', delta: text })
      writer.write({ type: 'text-end', id: 'replay' })
      writer.write({ type: 'finish', messageMetadata: { status: stored.status, error: stored.error, replayed: true } })
    },
  })
  return createUIMessageStreamResponse({ stream, headers: { 'Cache-Control': 'no-store' } })
}
