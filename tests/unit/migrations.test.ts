import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { sql } from 'drizzle-orm'
import { afterAll, describe, expect, it } from 'vitest'
import { applyMigrations, MigrationError, readMigrations } from '../../server/utils/migrations'
import { createTestDatabase, type TestDatabase } from '../support/database'

const drizzleDir = join(import.meta.dirname, '../../drizzle')
const fromDisk = (name: string) => readFile(join(drizzleDir, name), 'utf8').catch(() => null)

describe('migrations on PGlite', () => {
  it('apply from empty and are a no-op the second time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mig-'))
    const migrations = await readMigrations(fromDisk)
    const client = new PGlite(dir, { extensions: { vector } })
    const db = drizzlePglite(client)
    expect(await applyMigrations(db as never, migrations)).toEqual(migrations.map(m => m.tag))
    expect(await applyMigrations(db as never, migrations)).toEqual([])
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = \'public\'')
    expect(rows[0]!.n).toBeGreaterThanOrEqual(4)
    await client.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('maps the answers of the first version onto the turn statuses, keeping their reasons', async () => {
    const migrations = await readMigrations(fromDisk)
    const before = migrations.findIndex(m => m.tag === '0004_chat_turn_lifecycle')
    const client = new PGlite({ extensions: { vector } })
    const db = drizzlePglite(client)
    await applyMigrations(db as never, migrations.slice(0, before))
    await client.exec(`
      INSERT INTO users (id, tenant_id, object_id) VALUES ('00000000-0000-4000-8000-000000000001', 't', 'o');
      INSERT INTO chats (id, user_id, title) VALUES ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'c')`)
    const rows: Array<[string, string | null]> = [
      ['partial', null],
      ['partial', 'Stopped before the answer was complete.'],
      ['partial', 'The answer was interrupted by a server restart.'],
      ['partial', 'The answer reached the maximum length and was cut.'],
      ['failed', 'The model service failed to answer.'],
      ['complete', null],
    ]
    for (const [i, [status, error]] of rows.entries()) {
      await client.query('INSERT INTO messages (id, chat_id, role, parts, status, error) VALUES ($1, $2, \'assistant\', \'[]\', $3, $4)', [`00000000-0000-4000-8000-0000000000${10 + i}`, '00000000-0000-4000-8000-000000000002', status, error])
    }
    await applyMigrations(db as never, migrations)
    const { rows: mapped } = await client.query<{ status: string, error: string | null }>('SELECT status, error FROM messages ORDER BY seq')
    expect(mapped).toEqual([
      { status: 'interrupted', error: 'The answer was interrupted before it was complete.' },
      { status: 'stopped', error: 'Stopped before the answer was complete.' },
      { status: 'interrupted', error: 'The answer was interrupted by a server restart.' },
      { status: 'truncated', error: 'The answer reached the maximum length and was cut.' },
      { status: 'failed', error: 'The model service failed to answer.' },
      { status: 'complete', error: null },
    ])
    await client.close()
  })

  it('names the migration that fails', async () => {
    const client = new PGlite({ extensions: { vector } })
    const broken = [{ tag: '0042_broken', createdAt: 1, hash: 'x', statements: ['CREATE TABLE t (id int)', 'SELECT * FROM no_such_table'] }]
    await expect(applyMigrations(drizzlePglite(client) as never, broken)).rejects.toThrow(MigrationError)
    await expect(applyMigrations(drizzlePglite(client) as never, broken)).rejects.toThrow(/Migration 0042_broken failed/)
    // The failed migration left nothing behind: it ran in one transaction.
    const { rows } = await client.query('SELECT to_regclass(\'t\') AS t')
    expect(rows[0]).toEqual({ t: null })
    await client.close()
  })

  it('refuses a journal entry whose SQL file is missing', async () => {
    await expect(readMigrations(async name => name.endsWith('.json') ? '{"entries":[{"tag":"0000_gone","when":1}]}' : null))
      .rejects.toThrow('Migration 0000_gone is listed in the journal but its SQL file is missing')
  })
})

describe('migrations on PostgreSQL', () => {
  let database: TestDatabase

  afterAll(async () => {
    await database?.drop()
  })

  it('apply from empty and are a no-op the second time', async () => {
    database = await createTestDatabase({ kind: 'postgres' })
    const client = postgres(database.url!, { max: 1, onnotice: () => {} })
    const db = drizzlePostgres(client)
    const migrations = await readMigrations(fromDisk)
    expect(await applyMigrations(db as never, migrations)).toEqual(migrations.map(m => m.tag))
    expect(await applyMigrations(db as never, migrations)).toEqual([])
    const rows = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`)
    expect(rows[0]!.n).toBe(migrations.length)
    await client.end()
  })
})
