import { z } from 'zod'

const query = z.object({
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
})

// Staff who used the assistant, most recently active first; `q` searches names and emails.
export default defineEventHandler(async (event) => {
  await requireRole(event, 'Admin')
  const { q, limit, cursor } = queryWith(event, query)
  return listUsersForAdmin({ limit, cursor: decodeCursor(cursor), search: q || undefined })
})
