// Stream throughput: tokens per second a client receives through the app vs straight from the
// emulator, for a long answer (~400 words) with no delay between chunks. One stream at a time,
// then several at once (the aggregate rate the machine sustains).
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { BenchContext } from '../lib/context.ts'
import { appChat, emulatorChat, type StreamResult } from '../lib/stream-client.ts'
import { median, num, ratio, round } from '../lib/stats.ts'

const TEXT = 'Walk me through the whole travel policy, please. [[emulator:long]]'

function check(result: StreamResult, target: 'app' | 'emulator'): string | null {
  const ok = result.status === 200 && !result.error && result.deltas > 0 && result.finishStatus === (target === 'app' ? 'complete' : 'completed')
  return ok ? null : `${target}: ${result.status} ${result.error ?? result.finishStatus}`
}

async function run(ctx: BenchContext, target: 'app' | 'emulator') {
  return target === 'app' ? appChat(ctx.app.url, ctx.cookie, randomUUID(), TEXT) : emulatorChat(ctx.emulator.url, TEXT)
}

export async function throughput(ctx: BenchContext): Promise<void> {
  const failures: string[] = []
  // --- one stream at a time: tokens / (request start -> last token) ------------------------------
  const single = { app: [] as number[], emulator: [] as number[], tokens: { app: 0, emulator: 0 } }
  // Tokens are the answer's, not the events': the app may send several tokens in one SSE event
  // (text that arrives within one tick), so count the emulator's deltas for the same answer and
  // check that the app delivered exactly the same text.
  let expected = { tokens: 0, text: '' }
  const tokensOf = (result: { deltas: number, text: string }, target: 'app' | 'emulator') => {
    if (target === 'emulator') {
      expected = { tokens: result.deltas, text: result.text }
      return result.deltas
    }
    if (result.text !== expected.text) failures.push('the app delivered a different text than the emulator')
    return expected.tokens
  }
  const reps = ctx.quick ? 4 : 10
  for (let i = -1; i < reps; i++) {
    for (const target of ['emulator', 'app'] as const) {
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
  const s = { app: median(single.app), emulator: median(single.emulator) }
  ctx.log(`1 stream: ${single.tokens.emulator} tokens direct / ${single.tokens.app} through the app; median ${num(s.emulator)} tok/s direct, ${num(s.app)} tok/s through the app`)
  if (single.tokens.app !== single.tokens.emulator) failures.push(`token count differs: app ${single.tokens.app}, emulator ${single.tokens.emulator}`)
  ctx.rows.push({
    scenario: 'stream throughput',
    figure: 'tokens/s, 1 stream (median)',
    target: '>= 0.9x emulator',
    measured: `${num(s.app)} tok/s`,
    baseline: `direct ${num(s.emulator)} tok/s`,
    ratio: ratio(s.app, s.emulator),
    pass: s.app / s.emulator >= 0.9 && failures.length === 0,
    values: { tokensPerAnswer: single.tokens, tokensPerSecond: { app: round(s.app), emulator: round(s.emulator) }, samples: single },
  })

  // --- several streams at once: all tokens delivered / wall time --------------------------------
  const concurrency = 8
  const perWorker = ctx.quick ? 2 : 4
  const aggregate: Record<'app' | 'emulator', number[]> = { app: [], emulator: [] }
  let appCpuMs = 0
  let appTokens = 0
  for (let round = 0; round < 2; round++) {
    for (const target of ['emulator', 'app'] as const) {
      let tokens = 0
      const c0 = ctx.app.cpuMs()
      const started = performance.now()
      await Promise.all(Array.from({ length: concurrency }, async () => {
        for (let i = 0; i < perWorker; i++) {
          const result = await run(ctx, target)
          const problem = check(result, target)
          if (problem) failures.push(problem)
          tokens += target === 'emulator' ? result.deltas : expected.tokens
          if (target === 'app' && result.text !== expected.text) failures.push('the app delivered a different text than the emulator')
        }
      }))
      aggregate[target].push(tokens / ((performance.now() - started) / 1000))
      if (target === 'app') {
        appCpuMs += ctx.app.cpuMs() - c0
        appTokens += tokens
      }
    }
  }
  const a = { app: median(aggregate.app), emulator: median(aggregate.emulator) }
  const cpuPerToken = (appCpuMs * 1000) / appTokens
  ctx.log(`${concurrency} streams at once: ${num(a.emulator)} tok/s direct, ${num(a.app)} tok/s through the app (runs: ${aggregate.emulator.map(v => num(v)).join('/')} vs ${aggregate.app.map(v => num(v)).join('/')}); server CPU ${num(cpuPerToken)} us per token delivered`)
  if (failures.length) ctx.log(`  ${failures.length} failures, e.g. ${failures.slice(0, 3).join(' | ')}`)
  ctx.rows.push({
    scenario: 'stream throughput',
    figure: `tokens/s, ${concurrency} streams (aggregate)`,
    target: '>= 0.9x emulator',
    measured: `${num(a.app)} tok/s`,
    baseline: `direct ${num(a.emulator)} tok/s`,
    ratio: ratio(a.app, a.emulator),
    pass: a.app / a.emulator >= 0.9 && failures.length === 0,
    values: { concurrency, tokensPerSecond: { app: round(a.app), emulator: round(a.emulator) }, serverCpuUsPerToken: round(cpuPerToken), runs: aggregate, failures },
  })
}
