import { randomUUID } from 'node:crypto'
import type { HttpClient } from './http-client'

export function userMessage(text: string, id: string = randomUUID()) {
  return { id, role: 'user', parts: [{ type: 'text', text }] }
}

export interface SendResult {
  status: number
  headers: Headers
  events: Array<Record<string, unknown>>
  text: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read error bodies loosely
  json?: any
}

/**
 * POSTs to the chat endpoint like useChat's DefaultChatTransport and reads the UI message stream.
 * `onEvent` sees each event as it arrives and may return 'abort' to drop the connection there.
 */
export async function sendChat(client: HttpClient, appUrl: string, chatId: string, body: Record<string, unknown>, onEvent?: (event: Record<string, unknown>, events: Array<Record<string, unknown>>) => unknown): Promise<SendResult> {
  const controller = new AbortController()
  const response = await client.fetch(`${appUrl}/api/chats/${chatId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'origin': appUrl },
    body: JSON.stringify(body),
    signal: controller.signal,
  })
  return readUiMessageStream(response, controller, onEvent)
}

/** GETs an answer's stream like useChat's resumeStream() (204: nothing is being written). */
export async function followChat(client: HttpClient, url: string, onEvent?: (event: Record<string, unknown>, events: Array<Record<string, unknown>>) => unknown): Promise<SendResult> {
  const controller = new AbortController()
  const response = await client.fetch(url, { signal: controller.signal })
  return readUiMessageStream(response, controller, onEvent)
}

async function readUiMessageStream(response: Response, controller: AbortController, onEvent?: (event: Record<string, unknown>, events: Array<Record<string, unknown>>) => unknown): Promise<SendResult> {
  if (!response.headers.get('content-type')?.includes('text/event-stream')) {
    return { status: response.status, headers: response.headers, events: [], text: '', json: await response.json().catch(() => undefined) }
  }
  const events: Array<Record<string, unknown>> = []
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      buffer += value
      const lines = buffer.split('\n')
      buffer = lines.pop()!
      for (const line of lines) {
        if (!line.startsWith('data: ') || line === 'data: [DONE]') continue
        const event = JSON.parse(line.slice(6)) as Record<string, unknown>
        events.push(event)
        if (await onEvent?.(event, events) === 'abort') {
          controller.abort()
          throw new Error('aborted by test')
        }
      }
    }
  }
  catch (error) {
    if (!controller.signal.aborted) throw error
  }
  const text = events.filter(e => e.type === 'text-delta').map(e => e.delta).join('')
  return { status: response.status, headers: response.headers, events, text }
}

export function deltas(events: Array<Record<string, unknown>>): number {
  return events.filter(e => e.type === 'text-delta').length
}
