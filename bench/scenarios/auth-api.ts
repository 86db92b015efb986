// Authenticated API: requests/s of GET /api/chats with a session cookie vs GET /api/health (no
// session, no database). Alternating runs, so both see the same machine.
import type { BenchContext } from '../lib/context.ts'
import { load, type LoadResult } from '../lib/load.ts'
import { mean, ms, num, ratio, round } from '../lib/stats.ts'

const CONNECTIONS = 10

export async function authApi(ctx: BenchContext): Promise<void> {
  const seconds = ctx.quick ? 3 : 8
  const health = `${ctx.app.url}/api/health`
  const chats = `${ctx.app.url}/api/chats`
  const headers = { cookie: ctx.cookie }
  // Warm-up.
  await load(health, { connections: CONNECTIONS, seconds: 1 })
  await load(chats, { connections: CONNECTIONS, seconds: 1, headers })
  const runs: { health: LoadResult[], chats: LoadResult[] } = { health: [], chats: [] }
  for (let i = 0; i < 2; i++) {
    runs.health.push(await load(health, { connections: CONNECTIONS, seconds }))
    runs.chats.push(await load(chats, { connections: CONNECTIONS, seconds, headers }))
  }
  const bad = [...runs.health, ...runs.chats].filter(r => r.non2xx || r.errors || r.timeouts)
  const h = mean(runs.health.map(r => r.rps))
  const c = mean(runs.chats.map(r => r.rps))
  const hl = mean(runs.health.map(r => r.latency.p50))
  const cl = mean(runs.chats.map(r => r.latency.p50))
  ctx.log(`GET /api/health ${num(h)} req/s (p50 ${ms(hl)}); GET /api/chats ${num(c)} req/s (p50 ${ms(cl)}); ${CONNECTIONS} connections, ${seconds}s x 2 each`)
  if (bad.length) ctx.log(`  non-2xx/errors: ${bad.map(r => `${r.url} non2xx=${r.non2xx} errors=${r.errors}`).join('; ')}`)
  ctx.rows.push({
    scenario: 'authenticated API',
    figure: 'req/s GET /api/chats (cookie)',
    target: '>= 0.5x /api/health',
    measured: `${num(c)} req/s`,
    baseline: `/api/health ${num(h)} req/s`,
    ratio: ratio(c, h),
    pass: c / h >= 0.5 && bad.length === 0,
    values: { chatsRps: round(c), healthRps: round(h), connections: CONNECTIONS, seconds, runs },
  })
}
