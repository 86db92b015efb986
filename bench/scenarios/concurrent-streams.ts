// Concurrent streams: 1,000 slow answers open at once on one server process. All must complete
// and be stored complete; memory per open stream = (RSS while all are open - idle RSS) / 1,000.
// The same 1,000 answers through the peer baseline (bench/peer-server.ts) give the peer's memory
// per open stream, the figure the app's is compared with.
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { settledRss, sleep, type BenchContext } from '../lib/context.ts'
import type { AppServer, PeerServer } from '../lib/stack.ts'
import { appChat, emulatorChat, getJson, peerChat, pool, type StreamResult } from '../lib/stream-client.ts'
import { bytes, median, ms, num, percentile, ratio } from '../lib/stats.ts'

const STREAMS = 1000
// ~55 chunks 500 ms apart: each answer stays open ~28 s, longer than it should take to open them all.
const QUESTION = 'Summarise the onboarding checklist for new joiners.'
const TEXT = `${QUESTION} [[emulator:delay=500]]`

interface StoredMessage { id: string, role: string, status: string, parts: Array<{ type: string, text?: string }> }

interface Opened {
  results: StreamResult[]
  maxOpen: number
  idle: number
  rssAll: number
  rssPeak: number
  perStream: number
  busyCpu: number
  wall: number
  samples: Array<{ t: number, open: number, rss: number }>
}

/** Opens STREAMS slow answers on one server (the app or the peer) over ~2 s and waits for them all. */
async function openStreams(server: Pick<AppServer | PeerServer, 'rss' | 'cpuMs'>, start: (index: number, onFirstDelta: () => void) => Promise<StreamResult>): Promise<Opened> {
  const idle = await settledRss(server)
  const idleCpu = server.cpuMs()

  let open = 0
  let maxOpen = 0
  let rssAtMax = Number.NaN
  const samples: Array<{ t: number, open: number, rss: number }> = []
  const started = performance.now()
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      samples.push({ t: Math.round(performance.now() - started), open, rss: server.rss() })
      await sleep(250)
    }
  })()

  const results: StreamResult[] = new Array(STREAMS)
  // Opened over ~2 s (a real crowd does not arrive in one tick; 1,000 SYNs at once overflow the
  // listen backlog of 511 and cost a 1 s SYN retransmit). A stream counts as open from its first
  // token (the app sends its response headers with it) to its end.
  const batch = 25
  const streams: Array<Promise<void>> = []
  for (let i = 0; i < STREAMS; i += batch) {
    for (let j = i; j < Math.min(STREAMS, i + batch); j++) {
      streams.push(start(j, () => {
        open++
        if (open > maxOpen) {
          maxOpen = open
          // The moment the most streams are open may fall between two periodic samples.
          rssAtMax = server.rss()
        }
      }).then((result) => {
        results[j] = result
        if (Number.isFinite(result.ttftMs)) open--
      }))
    }
    await sleep(50)
  }
  await Promise.all(streams)
  sampling = false
  await sampler
  const busyCpu = server.cpuMs() - idleCpu
  const wall = performance.now() - started

  // RSS while all were open: the samples taken when the open count was at its maximum.
  const rssAll = median([rssAtMax, ...samples.filter(s => s.open >= maxOpen).map(s => s.rss)])
  const rssPeak = Math.max(...samples.map(s => s.rss))
  const perStream = (rssAll - idle) / Math.max(1, maxOpen)
  return { results, maxOpen, idle, rssAll, rssPeak, perStream, busyCpu, wall, samples }
}

export async function concurrentStreams(ctx: BenchContext): Promise<void> {
  const { app } = ctx
  // The emulator strips its triggers, so a delay of 0 gives the same answer at once.
  const expected = (await emulatorChat(ctx.emulator.url, `${QUESTION} [[emulator:delay=0]]`)).text
  ctx.log(`expected answer ${expected.length} chars`)

  const chatIds = Array.from({ length: STREAMS }, () => randomUUID())
  const { results, maxOpen, idle, rssAll, rssPeak, perStream, busyCpu, wall, samples } = await openStreams(app, (j, onFirstDelta) => appChat(app.url, ctx.cookie, chatIds[j]!, TEXT, 240_000, onFirstDelta))

  // --- none lost: every stream finished complete, and every answer is stored complete ----------
  const streamProblems: string[] = []
  const lostChats = new Set<number>()
  results.forEach((r, i) => {
    if (r.status !== 200 || r.error || r.finishStatus !== 'complete' || r.text !== expected) {
      streamProblems.push(`#${i} ${r.status} ${r.error ?? ''} finish=${r.finishStatus} chars=${r.text.length}`)
      lostChats.add(i)
    }
  })
  const storeProblems: string[] = []
  await pool(chatIds, 20, async (chatId, i) => {
    const { status, json } = await getJson<{ messages: StoredMessage[] }>(`${app.url}/api/chats/${chatId}/messages`, { cookie: ctx.cookie })
    const answer = json.messages?.find(m => m.role === 'assistant')
    const text = answer?.parts.map(p => p.text ?? '').join('') ?? ''
    if (status !== 200 || !answer || answer.status !== 'complete' || text !== expected) {
      storeProblems.push(`${chatId}: HTTP ${status} ${answer ? `${answer.status}, ${text.length} chars` : 'no answer stored'}`)
      lostChats.add(i)
    }
  })
  const lost = lostChats.size

  // --- the same answers through the peer baseline ------------------------------------------
  const peer = await openStreams(ctx.peer, (_j, onFirstDelta) => peerChat(ctx.peer.url, TEXT, 240_000, onFirstDelta))
  const peerProblems = peer.results.filter(r => r.status !== 200 || r.error || r.finishStatus !== 'complete' || r.text !== expected).length
  const peerTtfts = peer.results.map(r => r.ttftMs).filter(Number.isFinite)

  const ttfts = results.map(r => r.ttftMs).filter(Number.isFinite)
  ctx.log(`${STREAMS} streams: max ${maxOpen} open at once, wall ${ms(wall)}, TTFT p50 ${ms(percentile(ttfts, 50))} p95 ${ms(percentile(ttfts, 95))} max ${ms(Math.max(...ttfts))}; server CPU ${num(busyCpu)} ms`)
  ctx.log(`  RSS idle ${bytes(idle)}, with all open ${bytes(rssAll)} (peak ${bytes(rssPeak)}) -> ${bytes(perStream)} per open stream`)
  ctx.log(`  peer: max ${peer.maxOpen} open, wall ${ms(peer.wall)}, TTFT p50 ${ms(percentile(peerTtfts, 50))} p95 ${ms(percentile(peerTtfts, 95))}; CPU ${num(peer.busyCpu)} ms; RSS idle ${bytes(peer.idle)}, with all open ${bytes(peer.rssAll)} (peak ${bytes(peer.rssPeak)}) -> ${bytes(peer.perStream)} per open stream; ${peerProblems} streams not complete`)
  ctx.log(`  streams not complete: ${streamProblems.length}; answers not stored complete: ${storeProblems.length}`)
  for (const p of [...streamProblems, ...storeProblems].slice(0, 5)) ctx.log(`    ${p}`)

  const values = {
    streams: STREAMS,
    maxOpen,
    wallMs: Math.round(wall),
    ttftMs: { p50: percentile(ttfts, 50), p95: percentile(ttfts, 95), max: Math.max(...ttfts) },
    idleRssBytes: idle,
    rssAllOpenBytes: rssAll,
    peakRssBytes: rssPeak,
    perStreamBytes: Math.round(perStream),
    serverCpuMs: busyCpu,
    streamProblems: streamProblems.length,
    storeProblems: storeProblems.length,
    lost,
    examples: [...streamProblems, ...storeProblems].slice(0, 20),
    rssSamples: samples,
    peer: {
      maxOpen: peer.maxOpen,
      wallMs: Math.round(peer.wall),
      ttftMs: { p50: percentile(peerTtfts, 50), p95: percentile(peerTtfts, 95), max: Math.max(...peerTtfts) },
      idleRssBytes: peer.idle,
      rssAllOpenBytes: peer.rssAll,
      peakRssBytes: peer.rssPeak,
      perStreamBytes: Math.round(peer.perStream),
      serverCpuMs: peer.busyCpu,
      streamProblems: peerProblems,
      rssSamples: peer.samples,
    },
  }
  ctx.details.concurrentStreams = values
  ctx.rows.push({
    scenario: 'concurrent streams',
    figure: `${STREAMS} streams: none lost`,
    target: '0 lost',
    measured: `${lost} lost (${streamProblems.length} streams, ${storeProblems.length} stored answers not complete)`,
    baseline: `${STREAMS} answers`,
    pass: lost === 0,
    values: { lost },
  })
  ctx.rows.push({
    scenario: 'concurrent streams',
    figure: `${STREAMS} streams open at once`,
    target: `${STREAMS} open`,
    measured: `max ${maxOpen} open`,
    baseline: `wall ${(wall / 1000).toFixed(1)} s`,
    pass: maxOpen === STREAMS,
    values: { maxOpen },
  })
  ctx.rows.push({
    scenario: 'concurrent streams',
    figure: `TTFT while ${STREAMS} streams open`,
    target: '(info)',
    measured: `p50 ${ms(percentile(ttfts, 50))}, p95 ${ms(percentile(ttfts, 95))}`,
    baseline: `server CPU ${num(busyCpu / STREAMS, 1)} ms/stream; peer p50 ${ms(percentile(peerTtfts, 50))}, p95 ${ms(percentile(peerTtfts, 95))}, ${num(peer.busyCpu / STREAMS, 1)} ms/stream`,
    ratio: ratio(percentile(ttfts, 50), percentile(peerTtfts, 50)),
    pass: null,
  })
  ctx.rows.push({
    scenario: 'concurrent streams',
    figure: 'memory per open stream',
    target: '< 100 KB',
    measured: bytes(perStream),
    baseline: `idle ${bytes(idle)}, all open ${bytes(rssAll)}`,
    ratio: ratio(rssAll, idle),
    pass: perStream < 100 * 1024,
    values: { perStreamBytes: Math.round(perStream), idleRssBytes: idle, rssAllOpenBytes: rssAll, peakRssBytes: rssPeak },
  })
  ctx.rows.push({
    scenario: 'concurrent streams',
    figure: 'memory per open stream vs peer',
    target: '<= 1.2x peer',
    measured: bytes(perStream),
    baseline: `peer ${bytes(peer.perStream)} (idle ${bytes(peer.idle)}, all open ${bytes(peer.rssAll)}, ${peer.maxOpen} open, ${peerProblems} not complete)`,
    ratio: ratio(perStream, peer.perStream),
    pass: perStream <= 1.2 * peer.perStream && peer.maxOpen === STREAMS && peerProblems === 0,
    values: { perStreamBytes: Math.round(perStream), peerPerStreamBytes: Math.round(peer.perStream), peerMaxOpen: peer.maxOpen, peerProblems },
  })
}
