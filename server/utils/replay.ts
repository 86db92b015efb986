import type { H3Event } from 'h3'

/** Sends a stored answer in the same UI-message stream format as a live one, then ends. */
export function replayAnswer(event: H3Event, stored: { id: string, parts: unknown, status: string, error: string | null }): null {
  const text = textOf(stored.parts)
  const client = openUiMessageStream(event)
  client.emit({ type: 'start', messageId: stored.id })
  client.emit({ type: 'text-start', id: 'replay' })
  if (text) client.emit({ type: 'text-delta', id: 'replay', delta: text })
  client.emit({ type: 'text-end', id: 'replay' })
  client.emit({ type: 'finish', messageMetadata: { status: stored.status, error: stored.error, replayed: true } })
  client.close()
  return null
}
