import { z } from 'zod'

const params = z.object({ id: z.string().uuid('must be a UUID'), shareId: z.string().uuid('must be a UUID') })

// Revokes a link at once: whoever opens it then gets a 404.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id, shareId } = paramsWith(event, params)
  if (!await revokeShare(id, shareId, user.id)) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.share', undefined, event) })
  await recordAudit({ action: 'share_revoked', actorId: user.id, target: { type: 'share', id: shareId }, details: { chatId: id }, event })
  setResponseStatus(event, 204)
  return null
})
