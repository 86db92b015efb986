import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import postgres from 'postgres'
import type { Stack } from './stack'

/** One SQL statement with `$n` parameters, the same on PostgreSQL and PGlite. */
export type Query = (text: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>

/**
 * Writes straight into the stack's database what no API can write (rows in the past), so the
 * production build carries no test-only route. PostgreSQL is shared, so this runs beside the
 * server; PGlite belongs to the server's process, so the server is stopped meanwhile and started
 * again on the same folder and port (sessions live in the database and survive it).
 */
export async function withDatabase<T>(stack: Stack, work: (query: Query) => Promise<T>): Promise<T> {
  if (stack.db.kind === 'postgres') {
    const sql = postgres(stack.db.url!, { max: 1, onnotice: () => {} })
    try {
      return await work(async (text, params = []) => [...await sql.unsafe(text, params as never[])])
    }
    finally {
      await sql.end()
    }
  }
  return stack.whileAppStopped(async () => {
    const db = await PGlite.create(stack.app.env.PGLITE_DATA_DIR!, { extensions: { vector } })
    try {
      return await work(async (text, params = []) => (await db.query<Record<string, unknown>>(text, params)).rows)
    }
    finally {
      await db.close()
    }
  })
}

/** `count` audit entries (action `test_seed`), `ageDays` old. */
export async function seedAudit(stack: Stack, count: number, ageDays = 0) {
  await withDatabase(stack, query => query(
    `INSERT INTO audit_log (created_at, action, outcome, reason, details)
     SELECT now() - make_interval(secs => $1::float8), 'test_seed', 'success', 'seeded', jsonb_build_object('n', n)
     FROM generate_series(1, $2::int) AS n`,
    [ageDays * 86_400, count],
  ))
}

/** Moves each chat and its messages `days` into the past, as if it had last been used then. */
export async function backdateChats(stack: Stack, chats: Array<{ chatId: string, days: number }>) {
  await withDatabase(stack, async (query) => {
    for (const { chatId, days } of chats) {
      const moved = await query(
        `UPDATE chats SET created_at = created_at - make_interval(secs => $1::float8), updated_at = updated_at - make_interval(secs => $1::float8)
         WHERE id = $2 RETURNING id`,
        [days * 86_400, chatId],
      )
      if (moved.length !== 1) throw new Error(`No chat ${chatId} to backdate`)
      await query(`UPDATE messages SET created_at = created_at - make_interval(secs => $1::float8) WHERE chat_id = $2`, [days * 86_400, chatId])
    }
  })
}
