import { createHash } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'

export interface Migration { tag: string, createdAt: number, hash: string, statements: string[] }

interface Journal { entries: Array<{ tag: string, when: number }> }

/**
 * Reads drizzle-kit's output (journal + SQL files) through any reader, so the same code serves
 * the files on disk (tests, dev) and the copies bundled into the production build.
 */
export async function readMigrations(readText: (name: string) => Promise<string | null>): Promise<Migration[]> {
  const journalText = await readText('meta/_journal.json')
  if (!journalText) throw new Error('The migrations journal (drizzle/meta/_journal.json) is missing from this build')
  const journal = JSON.parse(journalText) as Journal
  return Promise.all(journal.entries.map(async (entry) => {
    const text = await readText(`${entry.tag}.sql`)
    if (text == null) throw new Error(`Migration ${entry.tag} is listed in the journal but its SQL file is missing`)
    return {
      tag: entry.tag,
      createdAt: entry.when,
      // Same hash and table as drizzle-kit's own migrator, so either can be used on one database.
      hash: createHash('sha256').update(text).digest('hex'),
      statements: text.split('--> statement-breakpoint').map(s => s.trim()).filter(Boolean),
    }
  }))
}

export class MigrationError extends Error {
  constructor(readonly tag: string, cause: unknown) {
    super(`Migration ${tag} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.name = 'MigrationError'
  }
}

type AnyPgDatabase = PgDatabase<PgQueryResultHKT, Record<string, unknown>>

/** Applies, in order and each in its own transaction, the migrations this database has not seen. */
export async function applyMigrations(db: AnyPgDatabase, migrations: Migration[]): Promise<string[]> {
  await db.execute(sql`CREATE SCHEMA IF NOT EXISTS drizzle`)
  await db.execute(sql`CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`)
  const rows = await db.execute<{ created_at: string | number | null }>(
    sql`SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1`,
  )
  const list = Array.isArray(rows) ? rows : (rows as { rows: Array<{ created_at: string | number | null }> }).rows
  const last = Number(list[0]?.created_at ?? 0)
  const applied: string[] = []
  for (const migration of migrations.filter(m => m.createdAt > last)) {
    try {
      await db.transaction(async (tx) => {
        for (const statement of migration.statements) await tx.execute(sql.raw(statement))
        await tx.execute(sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (${migration.hash}, ${migration.createdAt})`)
      })
    }
    catch (error) {
      throw new MigrationError(migration.tag, error)
    }
    applied.push(migration.tag)
  }
  return applied
}
