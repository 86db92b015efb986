import { z } from 'zod'

const params = z.object({ id: z.string().uuid('must be a UUID'), messageId: z.string().uuid('must be a UUID') })

// Clears the signed-in user's feedback on an answer; clearing none is not an error.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id, messageId } = paramsWith(event, params)
  const cleared = await clearFeedback(id, messageId, user.id)
  if (cleared) await recordAudit({ action: 'feedback_cleared', actorId: user.id, target: { type: 'message', id: messageId }, details: { chatId: id }, event })
  setResponseStatus(event, 204)
  return null
})
