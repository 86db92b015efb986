import { z } from 'zod'

const params = z.object({ id: z.string().uuid('must be a UUID') })

// Enables the user again: they can sign in with their next attempt.
export default defineEventHandler(async (event) => {
  const admin = await requireRole(event, 'Admin')
  const { id } = paramsWith(event, params)

  const user = await setUserDisabled(id, false)
  if (!user) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.user', undefined, event) })
  await recordAudit({ action: 'user_enabled', actorId: admin.id, target: { type: 'user', id }, details: { changed: user.changed }, event })
  return { id: user.id, status: user.status, disabledAt: user.disabledAt }
})
