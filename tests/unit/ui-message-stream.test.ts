// The DOM lib types lack ReadableStream.from and async iteration, which Node 24 has.
/* eslint-disable @typescript-eslint/ban-ts-comment */
// Pins our hand-written SSE writer (server/utils/ui-message-stream.ts) to the AI SDK: the same UI
// message chunks go through our writer on a real node:http server and through the SDK's own
// createUIMessageStreamResponse, both are read back with the SDK's own parser
// (parseJsonEventStream + uiMessageChunkSchema, then readUIMessageStream, as useChat does), and
// the headers that matter, the resulting UI message and the [DONE] ending must agree. Our writer
// coalesces text deltas within one tick, so the messages are compared, not the deltas one by one.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createUIMessageStreamResponse, parseJsonEventStream, readUIMessageStream, uiMessageChunkSchema, type UIMessage, type UIMessageChunk } from 'ai'
import type { H3Event } from 'h3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openUiMessageStream } from '../../server/utils/ui-message-stream'

/** How the chunks are emitted: all in one tick, or with a tick (setImmediate) after each delta. */
type Pace = 'one tick' | 'a tick per delta'

let server: http.Server
let baseUrl: string
const plans = new Map<string, { chunks: UIMessageChunk[], pace: Pace }>()

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    const plan = plans.get(req.url ?? '')
    if (!plan) {
      res.writeHead(404).end()
      return
    }
    // What openUiMessageStream uses of an H3Event: event.node.res (and req beside it).
    const client = openUiMessageStream({ node: { req, res } } as unknown as H3Event)
    for (const chunk of plan.chunks) {
      client.emit(chunk)
      if (plan.pace === 'a tick per delta' && chunk.type === 'text-delta') await new Promise(resolve => setImmediate(resolve))
    }
    client.close()
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise(resolve => server.close(resolve))
})

let nextPlan = 0
async function throughOurs(chunks: UIMessageChunk[], pace: Pace): Promise<Response> {
  const path = `/plan-${nextPlan++}`
  plans.set(path, { chunks, pace })
  return fetch(baseUrl + path)
}

function throughSdk(chunks: UIMessageChunk[]): Response {
  return createUIMessageStreamResponse({ stream: (ReadableStream as unknown as { from: <T>(items: T[]) => ReadableStream<T> }).from(chunks) })
}

interface Read {
  headers: Headers
  body: string
  chunks: UIMessageChunk[]
  message: UIMessage | undefined
  errors: string[]
}

/** Reads a response the way useChat does: the SDK's SSE parser and chunk schema, then its message reader. */
async function read(response: Response): Promise<Read> {
  const body = await response.text()
  const chunks: UIMessageChunk[] = []
  // @ts-ignore -- async iteration of a web stream (Node 24)
  for await (const result of parseJsonEventStream({ stream: new Response(body).body!, schema: uiMessageChunkSchema })) {
    if (!result.success) throw result.error
    chunks.push(result.value)
  }
  const errors: string[] = []
  let message: UIMessage | undefined
  // @ts-ignore -- async iteration of a web stream (Node 24)
  for await (const snapshot of readUIMessageStream({ stream: (ReadableStream as unknown as { from: <T>(items: T[]) => ReadableStream<T> }).from(chunks), onError: e => errors.push((e as Error).message ?? String(e)) })) {
    message = snapshot
  }
  return { headers: response.headers, body, chunks, message, errors }
}

const textOf = (chunks: UIMessageChunk[]) => chunks.map(c => (c.type === 'text-delta' ? c.delta : '')).join('')

function expectSameStream(ours: Read, sdk: Read) {
  for (const r of [ours, sdk]) {
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream\b/)
    expect(r.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1')
    expect(r.headers.get('cache-control')).toMatch(/\bno-(cache|store)\b/)
    expect(r.body.endsWith('data: [DONE]\n\n')).toBe(true)
    // Every event is one `data:` line and a blank line, nothing else (no comments, no event names).
    for (const event of r.body.split('\n\n').filter(Boolean)) expect(event).toMatch(/^data: [^\n]+$/)
  }
  expect(ours.headers.get('x-accel-buffering')).toBe(sdk.headers.get('x-accel-buffering'))
  expect(ours.message).toEqual(sdk.message)
  expect(textOf(ours.chunks)).toBe(textOf(sdk.chunks))
  expect(ours.errors).toEqual(sdk.errors)
  // Apart from the deltas, the same chunks in the same order.
  const notDeltas = (r: Read) => r.chunks.filter(c => c.type !== 'text-delta')
  expect(notDeltas(ours)).toEqual(notDeltas(sdk))
}

const deltas = ['Expense', ' reports', ' go through', ' **Concur**', ' — “Travel & Meals”', '\n\n1. Attach', ' the receipt.']

const complete: UIMessageChunk[] = [
  { type: 'start', messageId: 'answer-1' },
  { type: 'text-start', id: 'text' },
  ...deltas.map(delta => ({ type: 'text-delta' as const, id: 'text', delta })),
  { type: 'text-end', id: 'text' },
  { type: 'finish', messageMetadata: { status: 'complete', error: null, finishReason: 'stop' } },
]

const failed: UIMessageChunk[] = [
  { type: 'start', messageId: 'answer-2' },
  { type: 'text-start', id: 'text' },
  ...deltas.slice(0, 3).map(delta => ({ type: 'text-delta' as const, id: 'text', delta })),
  { type: 'text-end', id: 'text' },
  { type: 'error', errorText: 'The model service failed to answer.' },
  { type: 'finish', messageMetadata: { status: 'failed', error: 'The model service failed to answer.' } },
]

describe('openUiMessageStream against the AI SDK\'s createUIMessageStreamResponse', () => {
  it.each(['one tick', 'a tick per delta'] as const)('gives the same UI message for a complete answer (deltas in %s)', async (pace) => {
    const [ours, sdk] = await Promise.all([throughOurs(complete, pace).then(read), read(throughSdk(complete))])
    expectSameStream(ours, sdk)
    expect(ours.message).toMatchObject({
      id: 'answer-1',
      role: 'assistant',
      metadata: { status: 'complete', error: null, finishReason: 'stop' },
      parts: [{ type: 'text', text: deltas.join(''), state: 'done' }],
    })
    // Deltas of one tick go out as one event; with a tick between them, one event each.
    expect(ours.chunks.filter(c => c.type === 'text-delta')).toHaveLength(pace === 'one tick' ? 1 : deltas.length)
    expect(ours.headers.get('content-type')).toBe(sdk.headers.get('content-type'))
  })

  it.each(['one tick', 'a tick per delta'] as const)('gives the same UI message and error for a failed answer (deltas in %s)', async (pace) => {
    const [ours, sdk] = await Promise.all([throughOurs(failed, pace).then(read), read(throughSdk(failed))])
    expectSameStream(ours, sdk)
    expect(ours.message).toMatchObject({
      id: 'answer-2',
      metadata: { status: 'failed', error: 'The model service failed to answer.' },
      parts: [{ type: 'text', text: deltas.slice(0, 3).join('') }],
    })
    expect(ours.chunks).toContainEqual({ type: 'error', errorText: 'The model service failed to answer.' })
    // useChat's reader reports the error chunk through onError, on both sides.
    expect(ours.errors).toEqual(['The model service failed to answer.'])
  })

  it('sends nothing and leaves the response to the caller when closed before any chunk', async () => {
    const received = new Promise<{ headersSent: boolean, writableEnded: boolean }>((resolve) => {
      const probe = http.createServer((req, res) => {
        openUiMessageStream({ node: { req, res } } as unknown as H3Event).close()
        resolve({ headersSent: res.headersSent, writableEnded: res.writableEnded })
        res.writeHead(502).end()
      })
      probe.listen(0, '127.0.0.1', () => {
        void fetch(`http://127.0.0.1:${(probe.address() as AddressInfo).port}/`).then(r => r.arrayBuffer()).finally(() => {
          probe.closeAllConnections()
          probe.close()
        })
      })
    })
    expect(await received).toEqual({ headersSent: false, writableEnded: false })
  })
})
