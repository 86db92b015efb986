import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import postgres from 'postgres'
import * as schema from '../database/schema'

export const tables = schema
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>

interface DatabaseHandle { db: Database, driver: 'postgres' | 'pglite', close: () => Promise<void> }

let handle: DatabaseHandle | undefined

/** Names the database for logs: host, port and database name, never the user's password. */
export function describeDatabaseUrl(url: string | undefined, pgliteDir = '.data/db'): string {
  if (!url) return `PGlite in ${pgliteDir}`
  try {
    const u = new URL(url)
    return `PostgreSQL at ${u.hostname}:${u.port || '5432'}${u.pathname}`
  }
  catch {
    return 'PostgreSQL at an unparsable DATABASE_URL'
  }
}

function open(): DatabaseHandle {
  const { database } = useServerConfig()
  if (database.url) {
    const client = postgres(database.url, {
      max: database.poolMax,
      idle_timeout: 30,
      connect_timeout: 5,
      // Keep PostgreSQL's NOTICE chatter (IF NOT EXISTS) out of the logs.
      onnotice: () => {},
    })
    return { db: drizzlePostgres(client, { schema }) as unknown as Database, driver: 'postgres', close: () => client.end({ timeout: 5 }) }
  }
  mkdirSync(database.pgliteDataDir, { recursive: true })
  // PGlite's default shared_buffers costs hundreds of MB of WASM memory; a laptop database needs little.
  const client = new PGlite({ dataDir: database.pgliteDataDir, postgresqlconf: ['shared_buffers=16MB'] })
  return { db: drizzlePglite(client, { schema }) as unknown as Database, driver: 'pglite', close: () => client.close() }
}

/**
 * The rows of a raw `db.execute(sql…)`: the postgres driver resolves to the rows themselves,
 * PGlite to `{ rows }`.
 */
export async function rowsOf<T>(result: Promise<unknown>): Promise<T[]> {
  const value = await result as T[] | { rows: T[] }
  return Array.isArray(value) ? value : value.rows
}

const preparedByDb = new WeakMap<Database, Map<string, unknown>>()

/**
 * A query of the hot path that drizzle builds once per database, run with `.execute(values)`:
 * drizzle otherwise rebuilds the SQL on every call, the largest share of our own CPU in an
 * authenticated request (bench/README.md). Values go in as `sql.placeholder(name)`. The name
 * identifies the query here (keep it unique); the postgres driver prepares statements on the
 * server by their text in any case, PGlite does not.
 */
export function prepared<T>(name: string, build: (db: Database, name: string) => T): T {
  const db = useDb()
  let queries = preparedByDb.get(db)
  if (!queries) preparedByDb.set(db, queries = new Map())
  let query = queries.get(name) as T | undefined
  if (!query) queries.set(name, query = build(db, name))
  return query
}

/** The process-wide database; opened on first use. */
export function useDb(): Database {
  handle ??= open()
  return handle.db
}

export function useDatabaseDriver(): 'postgres' | 'pglite' {
  handle ??= open()
  return handle.driver
}

export async function closeDb(): Promise<void> {
  const current = handle
  handle = undefined
  await current?.close()
}
