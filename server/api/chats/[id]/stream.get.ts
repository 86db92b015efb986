import { z } from 'zod'
import { followTurn } from '../../../chat/turn'

const params = z.object({ id: z.string().uuid('must be a UUID') })

// useChat's resumeStream(): the answer being written in this chat, from its first word, on any
// replica; 204 when none is being written.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id: chatId } = paramsWith(event, params)
  return followTurn(event, { userId: user.id, chatId })
})
