import { z } from 'zod'

const query = z.object({
  days: z.enum(['7', '30', '90'], { error: 'must be 7, 30 or 90' }).default('30').transform(Number),
})

// Daily active users, messages, tokens and failed model calls over the period (UTC days).
export default defineEventHandler(async (event) => {
  await requireRole(event, 'Admin')
  const { days } = queryWith(event, query)
  return usageReport(days)
})
