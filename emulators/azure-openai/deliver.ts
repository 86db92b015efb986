import type { ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { sendJson } from './http-util.ts'
import type { Plan } from './plan.ts'
import type { SseFrames } from './sse.ts'

export interface Delivery {
  res: ServerResponse
  plan: Plan
  headers: Record<string, string>
  // Aborted when the client goes away, so no timer keeps running for a dead connection.
  signal: AbortSignal
  // Lets the caller tell a deliberate drop apart from a client abort.
  drop: () => void
}

async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false
  try {
    await sleep(ms, undefined, { signal })
    return true
  }
  catch {
    return false
  }
}

const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  })

export async function deliverStream(d: Delivery, frames: SseFrames): Promise<void> {
  const { res, plan, signal } = d
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...d.headers,
  })
  res.flushHeaders()
  // Without this, Nagle's algorithm may batch small deltas and hide incremental streaming.
  res.socket?.setNoDelay(true)
  if (plan.interruption?.kind === 'hang') return untilAborted(signal)
  for (const frame of frames.head) res.write(frame)
  for (let i = 0; i < frames.body.length; i++) {
    if (!(await pause(plan.delayMs, signal))) return
    if (plan.interruption?.kind === 'drop' && i === plan.interruption.afterChunks) return d.drop()
    res.write(frames.body[i])
  }
  if (signal.aborted) return
  for (const frame of frames.tail) res.write(frame)
  res.end()
}

// A non-streamed answer takes as long as the equivalent stream, so the slow/delay triggers
// still mean something for callers that do not stream.
export async function deliverJson(d: Delivery, body: unknown): Promise<void> {
  const { plan, signal } = d
  if (plan.interruption?.kind === 'hang') return untilAborted(signal)
  const chunks = plan.interruption?.kind === 'drop' ? plan.interruption.afterChunks : plan.deltas.length
  if (!(await pause(plan.delayMs * chunks, signal))) return
  if (plan.interruption?.kind === 'drop') return d.drop()
  sendJson(d.res, 200, body, d.headers)
}
