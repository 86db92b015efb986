// Chat overhead: time to first token through the app minus straight to the emulator, at 1 and at
// 50 concurrent chats. Direct and app phases alternate (two rounds each) so that drift in the
// machine's load lands on both sides.
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { BenchContext } from '../lib/context.ts'
import { appChat, emulatorChat, getJson, type StreamResult } from '../lib/stream-client.ts'
import { median, ms, ratio, round, summarize } from '../lib/stats.ts'

/** A conversation gets this many turns before the worker starts a new chat. */
const TURNS_PER_CHAT = 5

interface Phase { ttft: number[], failures: string[] }

async function phase(ctx: BenchContext, target: 'app' | 'emulator', concurrency: number, perWorker: number, text: string, record: boolean, into: Phase) {
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    // Spread the starts over the first ~second so 50 chats do not all begin in the same tick.
    if (concurrency > 1) await new Promise(resolve => setTimeout(resolve, (worker * 1000) / concurrency))
    let chatId = randomUUID()
    for (let i = 0; i < perWorker; i++) {
      if (i > 0 && i % TURNS_PER_CHAT === 0) chatId = randomUUID()
      const result: StreamResult = target === 'app'
        ? await appChat(ctx.app.url, ctx.cookie, chatId, text)
        : await emulatorChat(ctx.emulator.url, text)
      const ok = result.status === 200 && !result.error && result.deltas > 0 && result.finishStatus === (target === 'app' ? 'complete' : 'completed')
      if (!ok) into.failures.push(`${target}: ${result.status} ${result.error ?? `finish=${result.finishStatus} deltas=${result.deltas}`}`)
      else if (record) into.ttft.push(result.ttftMs)
    }
  }))
}

async function measure(ctx: BenchContext, label: string, concurrency: number, perWorker: number, text: string) {
  const direct: Phase = { ttft: [], failures: [] }
  const app: Phase = { ttft: [], failures: [] }
  // Warm-up, not recorded: JIT, connection pools, the first chat of each worker.
  await phase(ctx, 'emulator', concurrency, 1, text, false, direct)
  await phase(ctx, 'app', concurrency, 1, text, false, app)
  let appCpuMs = 0
  for (let round = 0; round < 2; round++) {
    await phase(ctx, 'emulator', concurrency, perWorker, text, true, direct)
    const c0 = ctx.app.cpuMs()
    await phase(ctx, 'app', concurrency, perWorker, text, true, app)
    appCpuMs += ctx.app.cpuMs() - c0
  }
  // Whole answers (the stream and storing it), not only the part before the first token.
  const cpuPerChat = appCpuMs / (2 * concurrency * perWorker)
  const d = summarize(direct.ttft)
  const a = summarize(app.ttft)
  const overhead = { p50: a.p50 - d.p50, p95: a.p95 - d.p95 }
  ctx.log(`${label}: TTFT direct p50 ${ms(d.p50)} p95 ${ms(d.p95)} (n=${d.n}); through the app p50 ${ms(a.p50)} p95 ${ms(a.p95)} (n=${a.n}); overhead p50 ${ms(overhead.p50)} p95 ${ms(overhead.p95)}; server CPU ${ms(cpuPerChat)} per answered message`)
  const failures = [...direct.failures, ...app.failures]
  if (failures.length) ctx.log(`  ${failures.length} failed requests, e.g. ${failures.slice(0, 3).join(' | ')}`)
  const values = { concurrency, text, direct: d, app: a, overheadMs: { p50: round(overhead.p50), p95: round(overhead.p95) }, serverCpuMsPerMessage: round(cpuPerChat), failures: failures.length }
  ctx.rows.push({
    scenario: 'chat overhead',
    figure: `TTFT overhead p50, ${label}`,
    target: '< 5 ms',
    measured: ms(overhead.p50),
    baseline: `direct ${ms(d.p50)}, app ${ms(a.p50)}`,
    ratio: ratio(a.p50, d.p50),
    pass: overhead.p50 < 5 && failures.length === 0,
    values,
  })
  ctx.rows.push({
    scenario: 'chat overhead',
    figure: `TTFT overhead p95, ${label}`,
    target: '< 20 ms',
    measured: ms(overhead.p95),
    baseline: `direct ${ms(d.p95)}, app ${ms(a.p95)}`,
    ratio: ratio(a.p95, d.p95),
    pass: overhead.p95 < 20 && failures.length === 0,
  })
}

/**
 * Where the single-chat overhead goes: the time from the client's request to the app's request
 * reaching the emulator (session check and the database work before the model call), and the
 * rest (the model call and the streaming pipeline up to the first token at the client). Paired
 * through the emulator's request log, whose start times are epoch milliseconds.
 */
async function breakdown(ctx: BenchContext, count: number, text: string) {
  await fetch(`${ctx.emulator.url}/_emulator/reset`, { method: 'POST' })
  const starts: number[] = []
  const ttft: number[] = []
  let chatId = randomUUID()
  for (let i = 0; i < count; i++) {
    if (i % TURNS_PER_CHAT === 0) chatId = randomUUID()
    starts.push(performance.timeOrigin + performance.now())
    ttft.push((await appChat(ctx.app.url, ctx.cookie, chatId, text)).ttftMs)
  }
  const { json: log } = await getJson<Array<{ startedAt: number }>>(`${ctx.emulator.url}/_emulator/requests`)
  if (log.length !== count) return undefined
  const before = log.map((entry, i) => entry.startedAt - starts[i]!)
  const after = ttft.map((t, i) => t - before[i]!)
  const result = { beforeModelCallMs: round(median(before)), modelCallToFirstTokenMs: round(median(after)), ttftMs: round(median(ttft)), samples: count }
  ctx.log(`  1 chat, median split of the app's TTFT ${ms(result.ttftMs)}: ${ms(result.beforeModelCallMs)} before the app's request reaches the emulator (session + database), ${ms(result.modelCallToFirstTokenMs)} from there to the first token at the client (ms-resolution timestamps)`)
  return result
}

export async function chatOverhead(ctx: BenchContext): Promise<void> {
  // One chat at a time: the emulator answers at full speed (chunk delay 0), only TTFT matters.
  await measure(ctx, '1 chat', 1, ctx.quick ? 30 : 100, 'How do I file an expense report for a client dinner?')
  ctx.details.chatOverheadBreakdown = await breakdown(ctx, ctx.quick ? 20 : 50, 'How do I file an expense report for a client dinner?')
  // 50 chats streaming side by side at ~50 chunks/s each, the way real answers arrive.
  await measure(ctx, '50 concurrent chats', 50, ctx.quick ? 2 : 4, 'How do I file an expense report for a client dinner? [[emulator:delay=20]]')
}
