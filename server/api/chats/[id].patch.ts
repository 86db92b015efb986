import { and, eq } from 'drizzle-orm'
import { z } from 'zod'

const params = z.object({ id: z.string().uuid('must be a UUID') })
const body = z.object({ title: z.string().trim().min(1, zodMessage('validation.notEmpty')).max(200, zodMessage('validation.maxChars', { max: 200 })) })

export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = paramsWith(event, params)
  const { title } = await readBodyWith(event, body)

  const [chat] = await useDb().update(tables.chats)
    .set({ title })
    .where(and(eq(tables.chats.id, id), eq(tables.chats.userId, user.id)))
    .returning({ id: tables.chats.id, title: tables.chats.title, createdAt: tables.chats.createdAt, updatedAt: tables.chats.updatedAt })

  if (!chat) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.chat', undefined, event) })
  return chat
})
