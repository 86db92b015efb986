import postgres from 'postgres'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../support/database'
import { freePort, startAppServer, type AppServer } from '../support/app-server'

const servers: AppServer[] = []
const databases: TestDatabase[] = []

afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => s.stop()))
  await Promise.all(databases.splice(0).map(d => d.drop()))
})

async function start(env: Record<string, string>, wait = '/api/ready') {
  const server = await startAppServer(env, { wait })
  servers.push(server)
  return server
}

async function database(kind?: 'postgres' | 'pglite') {
  const db = await createTestDatabase({ kind })
  databases.push(db)
  return db
}

describe('health and readiness', () => {
  it('answers liveness and readiness once migrations are applied', async () => {
    const server = await start((await database()).env)
    const health = await fetch(`${server.url}/api/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    expect(health.headers.get('cache-control')).toBe('no-store')
    const ready = await fetch(`${server.url}/api/ready`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready' })
    expect(server.output()).toMatch(/applied migrations 0000_init/)
  })

  it('applies nothing the second time the server starts on the same database', async () => {
    const db = await database()
    const first = await start(db.env)
    await first.stop()
    servers.splice(0)
    const second = await start(db.env)
    expect(second.output()).toMatch(/ready/)
    expect(second.output()).not.toMatch(/applied migrations/)
  })

  it('lets two servers start at once on one PostgreSQL and applies each migration once', async () => {
    const db = await database('postgres')
    await Promise.all([start(db.env), start(db.env)])
    const client = postgres(db.url!, { max: 1 })
    const rows = await client`SELECT hash, count(*)::int AS n FROM drizzle.__drizzle_migrations GROUP BY hash`
    await client.end()
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every(r => r.n === 1)).toBe(true)
  })

  it('reports 503 naming the host, never the password, when PostgreSQL is unreachable', async () => {
    const port = await freePort()
    const server = await start({ DATABASE_URL: `postgres://app:hunter2-secret@127.0.0.1:${port}/assistant` }, '/api/health')
    const ready = await fetch(`${server.url}/api/ready`)
    expect(ready.status).toBe(503)
    const body = await ready.json()
    expect(body.status).toBe('unavailable')
    expect(body.reason).toContain(`127.0.0.1:${port}/assistant`)
    expect(JSON.stringify(body)).not.toContain('hunter2')
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200)
    await expect.poll(() => server.output(), { timeout: 10_000 }).toMatch(`PostgreSQL at 127.0.0.1:${port}/assistant is unreachable`)
    expect(server.output()).not.toContain('hunter2')
    expect(server.output()).not.toMatch(/\n\s+at /) // no stack trace
    expect(server.process.exitCode).toBeNull()
  })
})
