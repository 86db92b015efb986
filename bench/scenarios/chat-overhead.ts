// Chat overhead: time to first token through the app minus straight to the emulator, and minus
// through the peer baseline (bench/peer-server.ts, the AI SDK on bare node:http), at 1 and at 50
// concurrent chats. Direct, app and peer phases alternate (two rounds each) so that drift in the
// machine's load lands on every side. Then server CPU per answer, app vs peer.
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { BenchContext } from '../lib/context.ts'
import { cpuMsOf } from '../lib/stack.ts'
import { appChat, emulatorChat, getJson, peerChat, type StreamResult } from '../lib/stream-client.ts'
import { median, ms, ratio, round, summarize } from '../lib/stats.ts'

/** A conversation gets this many turns before the worker starts a new chat. */
const TURNS_PER_CHAT = 5

interface Phase { ttft: number[], failures: string[] }

type Target = 'app' | 'peer' | 'emulator'

function ask(ctx: BenchContext, target: Target, chatId: string, text: string): Promise<StreamResult> {
  if (target === 'app') return appChat(ctx.app.url, ctx.cookie, chatId, text)
  if (target === 'peer') return peerChat(ctx.peer.url, text)
  return emulatorChat(ctx.emulator.url, text)
}

async function phase(ctx: BenchContext, target: Target, concurrency: number, perWorker: number, text: string, record: boolean, into: Phase) {
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    // Spread the starts over the first ~second so 50 chats do not all begin in the same tick.
    if (concurrency > 1) await new Promise(resolve => setTimeout(resolve, (worker * 1000) / concurrency))
    let chatId = randomUUID()
    for (let i = 0; i < perWorker; i++) {
      if (i > 0 && i % TURNS_PER_CHAT === 0) chatId = randomUUID()
      const result = await ask(ctx, target, chatId, text)
      const ok = result.status === 200 && !result.error && result.deltas > 0 && result.finishStatus === (target === 'emulator' ? 'completed' : 'complete')
      if (!ok) into.failures.push(`${target}: ${result.status} ${result.error ?? `finish=${result.finishStatus} deltas=${result.deltas}`}`)
      else if (record) into.ttft.push(result.ttftMs)
    }
  }))
}

async function measure(ctx: BenchContext, label: string, concurrency: number, perWorker: number, text: string) {
  const direct: Phase = { ttft: [], failures: [] }
  const app: Phase = { ttft: [], failures: [] }
  const peer: Phase = { ttft: [], failures: [] }
  // Warm-up, not recorded: JIT, connection pools, the first chat of each worker.
  await phase(ctx, 'emulator', concurrency, 1, text, false, direct)
  await phase(ctx, 'app', concurrency, 1, text, false, app)
  await phase(ctx, 'peer', concurrency, 1, text, false, peer)
  let appCpuMs = 0
  let peerCpuMs = 0
  for (let round = 0; round < 2; round++) {
    await phase(ctx, 'emulator', concurrency, perWorker, text, true, direct)
    const c0 = ctx.app.cpuMs()
    await phase(ctx, 'app', concurrency, perWorker, text, true, app)
    appCpuMs += ctx.app.cpuMs() - c0
    const p0 = ctx.peer.cpuMs()
    await phase(ctx, 'peer', concurrency, perWorker, text, true, peer)
    peerCpuMs += ctx.peer.cpuMs() - p0
  }
  // Whole answers (the stream and storing it), not only the part before the first token.
  const cpuPerChat = appCpuMs / (2 * concurrency * perWorker)
  const peerCpuPerChat = peerCpuMs / (2 * concurrency * perWorker)
  const d = summarize(direct.ttft)
  const a = summarize(app.ttft)
  const p = summarize(peer.ttft)
  const overhead = { p50: a.p50 - d.p50, p95: a.p95 - d.p95 }
  const overPeer = { p50: a.p50 - p.p50, p95: a.p95 - p.p95 }
  ctx.log(`${label}: TTFT direct p50 ${ms(d.p50)} p95 ${ms(d.p95)} (n=${d.n}); through the app p50 ${ms(a.p50)} p95 ${ms(a.p95)} (n=${a.n}); through the peer p50 ${ms(p.p50)} p95 ${ms(p.p95)} (n=${p.n}); app overhead vs direct p50 ${ms(overhead.p50)} p95 ${ms(overhead.p95)}, vs peer p50 ${ms(overPeer.p50)} p95 ${ms(overPeer.p95)}; server CPU ${ms(cpuPerChat)} (app) / ${ms(peerCpuPerChat)} (peer) per answered message`)
  const failures = [...direct.failures, ...app.failures, ...peer.failures]
  if (failures.length) ctx.log(`  ${failures.length} failed requests, e.g. ${failures.slice(0, 3).join(' | ')}`)
  const values = {
    concurrency,
    text,
    direct: d,
    app: a,
    peer: p,
    overheadMs: { p50: round(overhead.p50), p95: round(overhead.p95) },
    overPeerMs: { p50: round(overPeer.p50), p95: round(overPeer.p95) },
    serverCpuMsPerMessage: round(cpuPerChat),
    peerCpuMsPerMessage: round(peerCpuPerChat),
    failures: failures.length,
  }
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
    figure: `TTFT p50 vs peer, ${label}`,
    target: '<= peer + 2 ms',
    measured: `${overPeer.p50 >= 0 ? '+' : ''}${ms(overPeer.p50)}`,
    baseline: `peer ${ms(p.p50)}, app ${ms(a.p50)}`,
    ratio: ratio(a.p50, p.p50),
    pass: overPeer.p50 <= 2 && failures.length === 0,
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
  ctx.rows.push({
    scenario: 'chat overhead',
    figure: `TTFT p95 vs peer, ${label}`,
    target: '(info)',
    measured: `${overPeer.p95 >= 0 ? '+' : ''}${ms(overPeer.p95)}`,
    baseline: `peer ${ms(p.p95)}, app ${ms(a.p95)}`,
    ratio: ratio(a.p95, p.p95),
    pass: null,
  })
}

/**
 * Server CPU per answer, app vs peer: process CPU time (/proc/<pid>/stat utime + stime, 10 ms
 * ticks) over many sequential answers, after a warm-up of at least 50 answers on each, in two
 * alternating rounds. The emulator's own CPU per answer (straight requests) is printed beside it.
 */
async function cpuPerAnswer(ctx: BenchContext, warmup: number, perRound: number, text: string) {
  const failures: string[] = []
  const sequential = async (target: Target, count: number) => {
    let chatId = randomUUID()
    for (let i = 0; i < count; i++) {
      if (i > 0 && i % TURNS_PER_CHAT === 0) chatId = randomUUID()
      const result = await ask(ctx, target, chatId, text)
      if (result.status !== 200 || result.error || result.finishStatus !== (target === 'emulator' ? 'completed' : 'complete')) failures.push(`${target}: ${result.status} ${result.error ?? result.finishStatus}`)
    }
  }
  await sequential('app', warmup)
  await sequential('peer', warmup)
  await sequential('emulator', 10)
  const used = { app: 0, peer: 0, emulator: 0 }
  const pids = { app: ctx.app.pid, peer: ctx.peer.pid, emulator: ctx.emulator.pid }
  for (let r = 0; r < 2; r++) {
    for (const target of ['app', 'peer', 'emulator'] as const) {
      const c0 = cpuMsOf(pids[target])
      await sequential(target, perRound)
      used[target] += cpuMsOf(pids[target]) - c0
    }
  }
  const n = 2 * perRound
  const per = { app: used.app / n, peer: used.peer / n, emulator: used.emulator / n }
  ctx.log(`server CPU per answer (${n} sequential answers each after ${warmup} warm-up): app ${ms(per.app)}, peer ${ms(per.peer)} (${ratio(per.app, per.peer)}); the emulator itself ${ms(per.emulator)} per straight answer`)
  if (failures.length) ctx.log(`  ${failures.length} failed requests, e.g. ${failures.slice(0, 3).join(' | ')}`)
  ctx.rows.push({
    scenario: 'chat overhead',
    figure: 'server CPU per answer, 1 chat',
    target: '<= 1.2x peer',
    measured: ms(per.app),
    baseline: `peer ${ms(per.peer)}, emulator ${ms(per.emulator)}`,
    ratio: ratio(per.app, per.peer),
    pass: per.app <= 1.2 * per.peer && failures.length === 0,
    values: { answers: n, warmup, cpuMsPerAnswer: { app: round(per.app, 3), peer: round(per.peer, 3), emulator: round(per.emulator, 3) }, cpuMsTotal: used, failures: failures.length },
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
  await cpuPerAnswer(ctx, ctx.quick ? 50 : 100, ctx.quick ? 50 : 300, 'How do I file an expense report for a client dinner?')
  ctx.details.chatOverheadBreakdown = await breakdown(ctx, ctx.quick ? 20 : 50, 'How do I file an expense report for a client dinner?')
  // 50 chats streaming side by side at ~50 chunks/s each, the way real answers arrive.
  await measure(ctx, '50 concurrent chats', 50, ctx.quick ? 2 : 4, 'How do I file an expense report for a client dinner? [[emulator:delay=20]]')
}
