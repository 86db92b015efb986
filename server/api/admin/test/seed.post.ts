import { eq, sql } from 'drizzle-orm'
import { z } from 'zod'

const body = z.discriminatedUnion('kind', [
  // Many audit entries at once, `ageDays` old (for the export and retention tests).
  z.object({ kind: z.literal('audit'), count: z.number().int().min(1).max(100_000), ageDays: z.number().min(0).max(3650).default(0) }),
  // Moves a chat and its messages `days` into the past, as if it had last been used then.
  z.object({ kind: z.literal('backdate-chat'), chatId: z.string().uuid(), days: z.number().min(0).max(3650) }),
])

/**
 * Test-only (APP_ENV=test; 404 everywhere else): puts data in the past, which no API can do, so
 * the integration tests can check usage periods and retention on PGlite as on PostgreSQL.
 */
export default defineEventHandler(async (event) => {
  if (useServerConfig().appEnv !== 'test') throw createError({ statusCode: 404, statusMessage: 'Not Found', message: 'Page not found' })
  await requireRole(event, 'Admin')
  const input = await readBodyWith(event, body)
  const db = useDb()
  if (input.kind === 'audit') {
    await db.execute(sql`INSERT INTO audit_log (created_at, action, outcome, reason, details)
      SELECT now() - make_interval(secs => ${input.ageDays * 86_400}::float8), 'test_seed', 'success', 'seeded', jsonb_build_object('n', n)
      FROM generate_series(1, ${input.count}::int) AS n`)
    return { inserted: input.count }
  }
  const shift = sql`make_interval(secs => ${input.days * 86_400}::float8)`
  const [chat] = await db.update(tables.chats)
    .set({ createdAt: sql`${tables.chats.createdAt} - ${shift}`, updatedAt: sql`${tables.chats.updatedAt} - ${shift}` })
    .where(eq(tables.chats.id, input.chatId))
    .returning({ id: tables.chats.id, updatedAt: tables.chats.updatedAt })
  if (!chat) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: 'Chat not found' })
  await db.update(tables.messages).set({ createdAt: sql`${tables.messages.createdAt} - ${shift}` }).where(eq(tables.messages.chatId, input.chatId))
  return chat
})
