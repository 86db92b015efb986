import { z } from 'zod'

const params = z.object({ id: z.string().uuid('must be a UUID') })

// Stop is explicit: a closed connection alone (a train tunnel, a closed laptop) lets the answer
// finish and be stored, while Stop aborts the Azure request at once.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = paramsWith(event, params)
  await requireChat(id, user.id)
  return { stopped: stopGeneration(id) }
})
