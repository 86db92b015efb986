import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'

/** The PostgreSQL this kind of machine runs (trust auth); CI starts it when it is down. */
export const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test'

export interface TestDatabase {
  /** Settings that point the app at this database. */
  env: Record<string, string>
  kind: 'postgres' | 'pglite'
  /** A direct connection for assertions (PostgreSQL only; PGlite is owned by the server). */
  url?: string
  drop(): Promise<void>
}

/**
 * A database of its own for each test file: a fresh PostgreSQL database when DATABASE_URL is set
 * (the CI run on PostgreSQL), otherwise a fresh PGlite folder. Runs never see each other's rows.
 */
export async function createTestDatabase(options: { kind?: 'postgres' | 'pglite' } = {}): Promise<TestDatabase> {
  const base = options.kind === 'pglite' ? undefined : process.env.DATABASE_URL ?? (options.kind === 'postgres' ? LOCAL_POSTGRES : undefined)
  if (!base) {
    const dir = mkdtempSync(join(tmpdir(), 'assistant-pglite-'))
    return { kind: 'pglite', env: { PGLITE_DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  const admin = postgres(base, { max: 1, onnotice: () => {} })
  await admin.unsafe(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(base)
  url.pathname = `/${name}`
  return {
    kind: 'postgres',
    url: url.toString(),
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      const client = postgres(base, { max: 1, onnotice: () => {} })
      await client.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await client.end()
    },
  }
}
