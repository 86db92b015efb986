import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import postgres from 'postgres'
import * as schema from '../database/schema'
import { SEARCH_CONNECTION_SETTINGS } from '../documents/search'

export const tables = schema
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>

/** Calls `onPayload` for each NOTIFY on the channel once LISTEN is in place; resolves to stop. */
export type Listen = (channel: string, onPayload: (payload: string) => void) => Promise<() => Promise<void>>

interface DatabaseHandle { db: Database, driver: 'postgres' | 'pglite', listen: Listen, close: () => Promise<void> }

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
      connection: SEARCH_CONNECTION_SETTINGS,
    })
    // postgres.js listens on one connection of its own, shared by every channel, re-listening
    // after a reconnect; a channel already listened to costs no round trip.
    const listen: Listen = async (channel, onPayload) => {
      const { unlisten } = await client.listen(channel, onPayload)
      return unlisten
    }
    return { db: drizzlePostgres(client, { schema }) as unknown as Database, driver: 'postgres', listen, close: () => client.end({ timeout: 5 }) }
  }
  mkdirSync(database.pgliteDataDir, { recursive: true })
  // PGlite's default shared_buffers costs hundreds of MB of WASM memory; a laptop database needs little.
  const client = new PGlite({ dataDir: database.pgliteDataDir, postgresqlconf: ['shared_buffers=16MB', ...Object.entries(SEARCH_CONNECTION_SETTINGS).map(([name, value]) => `${name}=${value}`)], extensions: { vector } })
  // PGlite lives in this process: NOTIFY reaches LISTEN here only, which is all a single process needs.
  const listen: Listen = (channel, onPayload) => client.listen(channel, onPayload)
  return { db: drizzlePglite(client, { schema }) as unknown as Database, driver: 'pglite', listen, close: () => client.close() }
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
 * drizzle otherwise rebuilds the SQL on every call. The figures that pay for it are `npm run
 * bench`'s authenticated API row and the app's server CPU per answer against the peer. Values go in as `sql.placeholder(name)`. The name
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

/** LISTEN on the process-wide database (see Listen). */
export function listenToDb(channel: string, onPayload: (payload: string) => void): ReturnType<Listen> {
  handle ??= open()
  return handle.listen(channel, onPayload)
}

export async function closeDb(): Promise<void> {
  const current = handle
  handle = undefined
  await current?.close()
}
