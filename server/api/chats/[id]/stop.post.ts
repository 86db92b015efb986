import { z } from 'zod'

const params = z.object({ id: z.string().uuid('must be a UUID') })

// Stop is explicit: a closed connection alone (a train tunnel, a closed laptop) lets the answer
// finish and be stored, while Stop aborts the Azure request at once.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = paramsWith(event, params)
  await requireChat(id, user.id)
  // Answers once the partial answer is stored, so a Regenerate right after Stop finds the chat free.
  const stopped = await stopGeneration(id)
  const [latest] = (await listMessages(id, { limit: 1 })).messages
  return { stopped, message: latest?.role === 'assistant' ? { id: latest.id, status: latest.status, error: latest.error } : null }
})
