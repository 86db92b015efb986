import postgres from 'postgres'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { applyMigrations, MigrationError, readMigrations } from './migrations'

const logger = taggedLogger('database')

// Any constant works; it only has to be the same in every replica of this app.
const MIGRATION_LOCK_ID = 7_274_210_511

type State = { status: 'starting' } | { status: 'ready' } | { status: 'unavailable', reason: string } | { status: 'failed', reason: string }

let state: State = { status: 'starting' }
let ready: Promise<void> | undefined

export function databaseState(): State {
  return state
}

async function loadBundledMigrations() {
  const storage = useStorage('assets:migrations')
  return readMigrations(async (name) => {
    const value = await storage.getItem<string | object>(name.replaceAll('/', ':'))
    if (value == null) return null
    return typeof value === 'string' ? value : JSON.stringify(value)
  })
}

async function migrateOnce() {
  const { database } = useServerConfig()
  const migrations = await loadBundledMigrations()
  if (!database.url) return applyMigrations(useDb(), migrations)
  // A dedicated single connection: the advisory lock belongs to a session, so every statement of
  // the migration must run on the connection that holds it. Two replicas starting together wait here.
  const client = postgres(database.url, { max: 1, connect_timeout: 5, onnotice: () => {} })
  try {
    await client`SELECT pg_advisory_lock(${MIGRATION_LOCK_ID})`
    return await applyMigrations(drizzlePostgres(client) as never, migrations)
  }
  finally {
    await client.end({ timeout: 5 }).catch(() => {})
  }
}

function explain(error: unknown): string {
  const e = error as { code?: string, message?: string, errors?: Array<{ code?: string }> }
  const code = e.code ?? e.errors?.[0]?.code
  return code ? `${code}${e.message ? `: ${e.message}` : ''}` : (e.message || String(error))
}

/** A migration's failure as a sentence; a PostgreSQL without pgvector's files gets the fix named. */
export function explainMigrationFailure(error: MigrationError): string {
  if (/extension "vector"|vector\.control/.test(error.message)) {
    return `${error.message}. This PostgreSQL lacks the pgvector extension (vector), which company documents need: install it on the server (Debian/Ubuntu: postgresql-16-pgvector; Homebrew: pgvector; Docker: the pgvector/pgvector image; Azure Database for PostgreSQL: allow-list VECTOR in azure.extensions) and start again.`
  }
  return error.message
}

/**
 * Applies migrations at start-up. An unreachable database is retried with back-off (readiness says
 * why meanwhile) instead of crash-looping; a migration that fails stops the process, naming it.
 */
export function startDatabase(onFatal: (message: string) => void, options: { maxAttempts?: number } = {}): Promise<void> {
  ready ??= (async () => {
    const { database } = useServerConfig()
    const target = describeDatabaseUrl(database.url, database.pgliteDataDir)
    for (let attempt = 1; ; attempt++) {
      try {
        const applied = await migrateOnce()
        state = { status: 'ready' }
        logger.info(`${target} ready${applied.length ? `; applied migrations ${applied.join(', ')}` : ''}`)
        return
      }
      catch (error) {
        if (error instanceof MigrationError) {
          state = { status: 'failed', reason: explainMigrationFailure(error) }
          onFatal(`${target}: ${state.reason}`)
          throw error
        }
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6))
        state = { status: 'unavailable', reason: `${target} is unreachable (${explain(error)})` }
        if (attempt >= (options.maxAttempts ?? Infinity)) throw error
        logger.warn(`${state.reason}; retrying in ${Math.round(delay / 1000)}s`)
        await new Promise(resolve => setTimeout(resolve, delay))
      }
    }
  })()
  return ready
}

/** Resolves once migrations are applied; routes that need the database wait on it. */
export function whenDatabaseReady(): Promise<void> {
  if (state.status === 'ready') return Promise.resolve()
  return new Promise((resolve, reject) => {
    const starting = state.status === 'starting'
    // The timer runs in the request's async context, so say() still knows the reader.
    const timer = setTimeout(() => reject(createError({
      statusCode: 503,
      statusMessage: `The database ${starting ? 'is starting' : 'is not reachable'}; please try again shortly.`,
      message: say(starting ? 'database.starting' : 'database.unreachable'),
    })), 5_000)
    ready?.then(() => {
      clearTimeout(timer)
      resolve()
    }, () => {})
  })
}
