import { createUIMessageStream, createUIMessageStreamResponse, type UIMessage } from 'ai'

/** The assistant message stored right after `messageId`, if the model already answered it. */
export async function storedAnswerAfter(chatId: string, messageId: string) {
  const [latest, previous] = await lastMessages(chatId, 2)
  if (latest?.role === 'assistant' && previous?.id === messageId) return latest
  return undefined
}

/** Sends a stored answer in the same UI-message stream format as a live one. */
export function replayAnswer(userMessage: UIMessage, stored: { id: string, parts: unknown, status: string }) {
  const text = textOf(stored.parts)
  const stream = createUIMessageStream({
    originalMessages: [userMessage],
    generateId: () => stored.id,
    execute: ({ writer }) => {
      writer.write({ type: 'start', messageId: stored.id })
      writer.write({ type: 'text-start', id: 'replay' })
      if (text) writer.write({ type: 'text-delta', id: 'replay', delta: text })
      writer.write({ type: 'text-end', id: 'replay' })
      writer.write({ type: 'finish', messageMetadata: { status: stored.status, replayed: true } })
    },
  })
  return createUIMessageStreamResponse({ stream, headers: { 'Cache-Control': 'no-store' } })
}
