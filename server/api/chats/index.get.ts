import { z } from 'zod'

const query = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.string().max(200).optional(),
  q: z.string().trim().max(200).optional(),
})

// My chats, newest first, page by page; `q` searches titles.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { limit, cursor, q } = queryWith(event, query)
  return listChats(user.id, { limit, cursor: decodeCursor(cursor), search: q || undefined })
})
