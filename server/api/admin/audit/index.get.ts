import { z } from 'zod'

const query = auditFilterSchema.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^\d{1,18}$/, 'must be the nextCursor of the previous page').optional(),
})

// The audit trail, newest first, filtered by user, action and period.
export default defineEventHandler(async (event) => {
  await requireRole(event, 'Admin')
  const { limit, cursor, ...filters } = queryWith(event, query)
  const page = await listAudit(filters, { limit, before: cursor ? Number(cursor) : undefined })
  return { ...page, actions: auditActions }
})
