// Streaming chat clients over node:http with one keep-alive agent that has sockets enough for
// 1,000 concurrent streams. Both the app's UI message stream and the emulator's Responses stream
// are read the same way, so their timings are comparable.
import http from 'node:http'
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { DEPLOYMENT, OPENAI_KEY } from './stack.ts'

// An idle socket is dropped after 4 s, before the server's 5 s keep-alive timeout closes it: reusing
// a socket the server is closing at that moment fails with ECONNRESET.
export const agent = new http.Agent({ keepAlive: true, maxSockets: 4096, maxFreeSockets: 4096, timeout: 4000 })

export interface StreamResult {
  status: number
  /** Request start to the first text delta, ms (NaN when none came). */
  ttftMs: number
  /** Request start to the last text delta, ms. */
  lastDeltaMs: number
  /** Request start to the end of the response, ms. */
  endMs: number
  deltas: number
  text: string
  /**
   * The app's `finish` event (messageMetadata.status), the peer's (`complete` for finishReason
   * stop, else the reason) or the emulator's final response status.
   */
  finishStatus?: string
  error?: string
}

type Kind = 'app' | 'peer' | 'emulator'

function stream(url: string, headers: Record<string, string>, body: string, kind: Kind, timeoutMs: number, onFirstDelta?: () => void): Promise<StreamResult> {
  return new Promise((resolve) => {
    const started = performance.now()
    const result: StreamResult = { status: 0, ttftMs: Number.NaN, lastDeltaMs: Number.NaN, endMs: Number.NaN, deltas: 0, text: '' }
    let settled = false
    const done = (error?: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      result.endMs = performance.now() - started
      if (error && !result.error) result.error = error
      resolve(result)
    }
    const req = http.request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
    }, (res) => {
      result.status = res.statusCode ?? 0
      res.setEncoding('utf8')
      if (!String(res.headers['content-type'] ?? '').includes('text/event-stream')) {
        let text = ''
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () => done(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`))
        res.on('error', e => done(e.message))
        return
      }
      let buffer = ''
      res.on('data', (chunk: string) => {
        buffer += chunk
        let newline = buffer.indexOf('\n')
        while (newline >= 0) {
          const line = buffer.slice(0, newline)
          buffer = buffer.slice(newline + 1)
          newline = buffer.indexOf('\n')
          if (!line.startsWith('data: ') || line === 'data: [DONE]') continue
          const event = JSON.parse(line.slice(6)) as Record<string, unknown>
          const type = event.type
          if (type === (kind === 'emulator' ? 'response.output_text.delta' : 'text-delta')) {
            const now = performance.now() - started
            if (!result.deltas) {
              result.ttftMs = now
              onFirstDelta?.()
            }
            result.lastDeltaMs = now
            result.deltas++
            result.text += event.delta as string
          }
          else if (kind === 'app' && type === 'finish') {
            result.finishStatus = (event.messageMetadata as { status?: string } | undefined)?.status
          }
          else if (kind === 'peer' && type === 'finish') {
            const status = (event.messageMetadata as { status?: string } | undefined)?.status
            result.finishStatus = status ?? (event.finishReason === 'stop' ? 'complete' : String(event.finishReason))
          }
          else if (kind !== 'emulator' && type === 'error') {
            result.error = String(event.errorText)
          }
          else if (kind === 'emulator' && (type === 'response.completed' || type === 'response.incomplete')) {
            result.finishStatus = (event.response as { status?: string }).status
          }
        }
      })
      res.on('end', () => done())
      res.on('error', e => done(e.message))
      res.on('aborted', () => done('aborted'))
    })
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${timeoutMs} ms`))
    }, timeoutMs)
    req.on('error', e => done(e.message))
    req.end(body)
  })
}

/**
 * One user message to the app's chat endpoint, read to the end of the answer. `fields` go into the
 * body beside the message (e.g. `{ libraries: ['me'] }` for an answer from the user's documents).
 */
export function appChat(appUrl: string, cookie: string, chatId: string, text: string, timeoutMs = 120_000, onFirstDelta?: () => void, fields: Record<string, unknown> = {}): Promise<StreamResult> {
  const body = JSON.stringify({ message: { id: randomUUID(), role: 'user', parts: [{ type: 'text', text }] }, ...fields })
  return stream(`${appUrl}/api/chats/${chatId}/messages`, { origin: appUrl, cookie }, body, 'app', timeoutMs, onFirstDelta)
}

/** The same body to the peer baseline (bench/peer-server.ts): no cookie, no chat id, no history. */
export function peerChat(peerUrl: string, text: string, timeoutMs = 120_000, onFirstDelta?: () => void): Promise<StreamResult> {
  const body = JSON.stringify({ message: { id: randomUUID(), role: 'user', parts: [{ type: 'text', text }] } })
  return stream(`${peerUrl}/api/chat`, {}, body, 'peer', timeoutMs, onFirstDelta)
}

/** The same request straight to the emulator: the baseline without the app. */
export function emulatorChat(emulatorUrl: string, text: string, timeoutMs = 120_000): Promise<StreamResult> {
  const body = JSON.stringify({ model: DEPLOYMENT, input: [{ role: 'user', content: text }], stream: true })
  return stream(`${emulatorUrl}/openai/v1/responses`, { 'api-key': OPENAI_KEY }, body, 'emulator', timeoutMs)
}

/** GET with the agent, JSON body. */
export function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<{ status: number, json: T }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
      })
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as T })
        }
        catch (error) {
          reject(new Error(`GET ${url}: ${res.statusCode} ${text.slice(0, 200)} (${(error as Error).message})`))
        }
      })
    }).on('error', reject)
  })
}

/** Runs `task` over `items` with at most `limit` at a time. */
export async function pool<T, R>(items: T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index]!, index)
    }
  })
  await Promise.all(workers)
  return results
}
