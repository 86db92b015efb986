import { z } from 'zod'
import { stopTurn } from '../../../chat/turn'

const params = z.object({ id: z.string().uuid('must be a UUID') })

// Stop is explicit: a closed connection alone (a train tunnel, a closed laptop) lets the answer
// finish and be stored, while Stop aborts the Azure request at once, on whichever replica runs it.
// It answers once the stopped answer is stored, so a Regenerate right after finds the chat free.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id: chatId } = paramsWith(event, params)
  return stopTurn({ userId: user.id, chatId })
})
