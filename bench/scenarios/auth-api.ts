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
  // Server CPU per request (from /proc): what each request costs the app process, whatever the
  // rest of the machine (PostgreSQL, autocannon, other jobs) is doing.
  const cpu = { health: 0, chats: 0 }
  const requests = { health: 0, chats: 0 }
  const measured = async (which: 'health' | 'chats', url: string, h?: Record<string, string>) => {
    const c0 = ctx.app.cpuMs()
    const r = await load(url, { connections: CONNECTIONS, seconds, headers: h })
    cpu[which] += ctx.app.cpuMs() - c0
    requests[which] += r.requests
    runs[which].push(r)
  }
  for (let i = 0; i < 2; i++) {
    await measured('health', health)
    await measured('chats', chats, headers)
  }
  const cpuPerRequest = { health: (cpu.health / requests.health) * 1000, chats: (cpu.chats / requests.chats) * 1000 }
  const bad = [...runs.health, ...runs.chats].filter(r => r.non2xx || r.errors || r.timeouts)
  const h = mean(runs.health.map(r => r.rps))
  const c = mean(runs.chats.map(r => r.rps))
  const hl = mean(runs.health.map(r => r.latency.p50))
  const cl = mean(runs.chats.map(r => r.latency.p50))
  ctx.log(`GET /api/health ${num(h)} req/s (p50 ${ms(hl)}, server CPU ${num(cpuPerRequest.health)} us/request); GET /api/chats ${num(c)} req/s (p50 ${ms(cl)}, server CPU ${num(cpuPerRequest.chats)} us/request); ${CONNECTIONS} connections, ${seconds}s x 2 each`)
  if (bad.length) ctx.log(`  non-2xx/errors: ${bad.map(r => `${r.url} non2xx=${r.non2xx} errors=${r.errors}`).join('; ')}`)
  ctx.rows.push({
    scenario: 'authenticated API',
    figure: 'req/s GET /api/chats (cookie)',
    target: '>= 0.5x /api/health',
    measured: `${num(c)} req/s`,
    baseline: `/api/health ${num(h)} req/s`,
    ratio: ratio(c, h),
    pass: c / h >= 0.5 && bad.length === 0,
    values: { chatsRps: round(c), healthRps: round(h), serverCpuUsPerRequest: { health: round(cpuPerRequest.health), chats: round(cpuPerRequest.chats) }, connections: CONNECTIONS, seconds, runs },
  })
}
