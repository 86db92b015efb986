import { z } from 'zod'

const params = z.object({ shareId: z.string().uuid('must be a UUID') })

// A shared chat, read-only, for a signed-in colleague of the owner's tenant; otherwise 404.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { shareId } = paramsWith(event, params)
  const { share, messages } = await openShare(shareId, user.id)
  const own = share.ownerId === user.id
  if (!own) {
    await recordShareView(shareId, user.id)
    await recordAudit({ action: 'share_opened', actorId: user.id, target: { type: 'share', id: shareId }, details: { chatId: share.chatId }, event })
  }
  return {
    share: { id: share.id, mode: share.mode, createdAt: share.createdAt, ownerName: share.ownerName, own },
    title: share.title,
    messages,
  }
})
