import { and, eq } from 'drizzle-orm'
import { z } from 'zod'
import { stopTurnsOf } from '../../chat/turn'

const params = z.object({ id: z.string().uuid('must be a UUID') })

export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = paramsWith(event, params)
  // Its answer, wherever it runs, stops calling Azure; the row goes with the chat.
  await stopTurnsOf(id, user.id)
  // Messages go with the chat (ON DELETE CASCADE).
  const deleted = await useDb().delete(tables.chats)
    .where(and(eq(tables.chats.id, id), eq(tables.chats.userId, user.id)))
    .returning({ id: tables.chats.id })
  if (!deleted.length) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.chat', undefined, event) })
  await recordAudit({ action: 'chat_deleted', actorId: user.id, target: { type: 'chat', id }, event })
  setResponseStatus(event, 204)
  return null
})
