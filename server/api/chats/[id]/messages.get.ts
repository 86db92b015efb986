import { z } from 'zod'

const params = z.object({ id: z.string().uuid('must be a UUID') })
const query = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.coerce.number().int().positive('must come from a previous page').optional(),
})

// Newest page first; each page in reading order; `nextCursor` fetches the older page.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = paramsWith(event, params)
  const { limit, cursor } = queryWith(event, query)
  await requireChat(id, user.id)
  return listMessages(id, { limit, before: cursor, viewer: user.id })
})
