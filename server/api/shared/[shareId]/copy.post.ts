import { z } from 'zod'

const params = z.object({ shareId: z.string().uuid('must be a UUID') })

// "Continue in a new chat": copies what the link shows into a new chat of the viewer's own.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { shareId } = paramsWith(event, params)
  const copy = await copySharedChat(shareId, user.id)
  await recordAudit({ action: 'chat_created', actorId: user.id, target: { type: 'chat', id: copy.id }, details: { copiedFromShare: shareId, messages: copy.messages }, event })
  await recordAudit({ action: 'share_copied', actorId: user.id, target: { type: 'share', id: shareId }, details: { chatId: copy.chatIdOfShare, copyId: copy.id }, event })
  setResponseStatus(event, 201)
  return { id: copy.id, title: copy.title }
})
