import { z } from 'zod'

const params = z.object({ id: z.string().uuid('must be a UUID') })

// Disables the user: sign-in is refused and their open sessions end at their next request.
export default defineEventHandler(async (event) => {
  const admin = await requireRole(event, 'Admin')
  const { id } = paramsWith(event, params)
  if (id === admin.id) throw createError({ statusCode: 409, statusMessage: 'Conflict', message: say('admin.cannotDisableSelf', undefined, event) })

  const user = await setUserDisabled(id, true)
  if (!user) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.user', undefined, event) })
  await recordAudit({ action: 'user_disabled', actorId: admin.id, target: { type: 'user', id }, details: { changed: user.changed }, event })
  return { id: user.id, status: user.status, disabledAt: user.disabledAt }
})
