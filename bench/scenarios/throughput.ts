// Stream throughput: tokens per second a client receives through the app vs straight from the
// emulator and through the peer baseline (bench/peer-server.ts), for a long answer (~400 words)
// with no delay between chunks. One stream at a time, then several at once (the aggregate rate
// the machine sustains).
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { BenchContext } from '../lib/context.ts'
import { appChat, emulatorChat, peerChat, type StreamResult } from '../lib/stream-client.ts'
import { median, num, ratio, round } from '../lib/stats.ts'

const TEXT = 'Walk me through the whole travel policy, please. [[emulator:long]]'

type Target = 'app' | 'peer' | 'emulator'
const TARGETS = ['emulator', 'app', 'peer'] as const

function check(result: StreamResult, target: Target): string | null {
  const ok = result.status === 200 && !result.error && result.deltas > 0 && result.finishStatus === (target === 'emulator' ? 'completed' : 'complete')
  return ok ? null : `${target}: ${result.status} ${result.error ?? result.finishStatus}`
}

async function run(ctx: BenchContext, target: Target) {
  if (target === 'app') return appChat(ctx.app.url, ctx.cookie, randomUUID(), TEXT)
  if (target === 'peer') return peerChat(ctx.peer.url, TEXT)
  return emulatorChat(ctx.emulator.url, TEXT)
}

export async function throughput(ctx: BenchContext): Promise<void> {
  const failures: string[] = []
  // --- one stream at a time: tokens / (request start -> last token) ------------------------------
  const single = { app: [] as number[], peer: [] as number[], emulator: [] as number[], tokens: { app: 0, peer: 0, emulator: 0 } }
  // Tokens are the answer's, not the events': the app may send several tokens in one SSE event
  // (text that arrives within one tick), so count the emulator's deltas for the same answer and
  // check that the app delivered exactly the same text.
  let expected = { tokens: 0, text: '' }
  const tokensOf = (result: { deltas: number, text: string }, target: Target) => {
    if (target === 'emulator') {
      expected = { tokens: result.deltas, text: result.text }
      return result.deltas
    }
    if (result.text !== expected.text) failures.push(`the ${target} delivered a different text than the emulator`)
    return expected.tokens
  }
  const reps = ctx.quick ? 4 : 10
  for (let i = -1; i < reps; i++) {
    for (const target of TARGETS) {
      const result = await run(ctx, target)
      const problem = check(result, target)
      if (problem) failures.push(problem)
      else if (i >= 0) {
        const tokens = tokensOf(result, target)
        single[target].push(tokens / (result.lastDeltaMs / 1000))
        single.tokens[target] = tokens
      }
    }
  }
  const s = { app: median(single.app), peer: median(single.peer), emulator: median(single.emulator) }
  ctx.log(`1 stream: ${single.tokens.emulator} tokens direct / ${single.tokens.app} through the app / ${single.tokens.peer} through the peer; median ${num(s.emulator)} tok/s direct, ${num(s.app)} tok/s through the app, ${num(s.peer)} tok/s through the peer`)
  if (single.tokens.app !== single.tokens.emulator) failures.push(`token count differs: app ${single.tokens.app}, emulator ${single.tokens.emulator}`)
  ctx.rows.push({
    scenario: 'stream throughput',
    figure: 'tokens/s, 1 stream (median)',
    target: '>= 0.9x emulator',
    measured: `${num(s.app)} tok/s`,
    baseline: `direct ${num(s.emulator)} tok/s`,
    ratio: ratio(s.app, s.emulator),
    pass: s.app / s.emulator >= 0.9 && failures.length === 0,
    values: { tokensPerAnswer: single.tokens, tokensPerSecond: { app: round(s.app), peer: round(s.peer), emulator: round(s.emulator) }, samples: single },
  })
  ctx.rows.push({
    scenario: 'stream throughput',
    figure: 'tokens/s, 1 stream vs peer',
    target: '(info)',
    measured: `${num(s.app)} tok/s`,
    baseline: `peer ${num(s.peer)} tok/s`,
    ratio: ratio(s.app, s.peer),
    pass: null,
  })

  // --- several streams at once: all tokens delivered / wall time --------------------------------
  const concurrency = 8
  const perWorker = ctx.quick ? 2 : 4
  const aggregate: Record<Target, number[]> = { app: [], peer: [], emulator: [] }
  const cpuMs = { app: 0, peer: 0 }
  const delivered = { app: 0, peer: 0 }
  for (let round = 0; round < 2; round++) {
    for (const target of TARGETS) {
      let tokens = 0
      const server = target === 'emulator' ? undefined : ctx[target]
      const c0 = server?.cpuMs() ?? 0
      const started = performance.now()
      await Promise.all(Array.from({ length: concurrency }, async () => {
        for (let i = 0; i < perWorker; i++) {
          const result = await run(ctx, target)
          const problem = check(result, target)
          if (problem) failures.push(problem)
          tokens += target === 'emulator' ? result.deltas : expected.tokens
          if (target !== 'emulator' && result.text !== expected.text) failures.push(`the ${target} delivered a different text than the emulator`)
        }
      }))
      aggregate[target].push(tokens / ((performance.now() - started) / 1000))
      if (target !== 'emulator') {
        cpuMs[target] += ctx[target].cpuMs() - c0
        delivered[target] += tokens
      }
    }
  }
  const a = { app: median(aggregate.app), peer: median(aggregate.peer), emulator: median(aggregate.emulator) }
  const cpuPerToken = (cpuMs.app * 1000) / delivered.app
  const peerCpuPerToken = (cpuMs.peer * 1000) / delivered.peer
  ctx.log(`${concurrency} streams at once: ${num(a.emulator)} tok/s direct, ${num(a.app)} tok/s through the app, ${num(a.peer)} tok/s through the peer (runs: ${aggregate.emulator.map(v => num(v)).join('/')} vs ${aggregate.app.map(v => num(v)).join('/')} vs ${aggregate.peer.map(v => num(v)).join('/')}); server CPU ${num(cpuPerToken)} us (app) / ${num(peerCpuPerToken)} us (peer) per token delivered`)
  if (failures.length) ctx.log(`  ${failures.length} failures, e.g. ${failures.slice(0, 3).join(' | ')}`)
  ctx.rows.push({
    scenario: 'stream throughput',
    figure: `tokens/s, ${concurrency} streams (aggregate)`,
    target: '>= 0.9x emulator',
    measured: `${num(a.app)} tok/s`,
    baseline: `direct ${num(a.emulator)} tok/s`,
    ratio: ratio(a.app, a.emulator),
    pass: a.app / a.emulator >= 0.9 && failures.length === 0,
    values: { concurrency, tokensPerSecond: { app: round(a.app), peer: round(a.peer), emulator: round(a.emulator) }, serverCpuUsPerToken: round(cpuPerToken), peerCpuUsPerToken: round(peerCpuPerToken), runs: aggregate, failures },
  })
  ctx.rows.push({
    scenario: 'stream throughput',
    figure: `tokens/s, ${concurrency} streams vs peer`,
    target: '>= 0.95x peer',
    measured: `${num(a.app)} tok/s`,
    baseline: `peer ${num(a.peer)} tok/s`,
    ratio: ratio(a.app, a.peer),
    pass: a.app / a.peer >= 0.95 && failures.length === 0,
  })
}
