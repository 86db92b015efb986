import { z } from 'zod'

const query = z.object({
  days: z.enum(['7', '30', '90'], { error: 'must be 7, 30 or 90' }).default('30').transform(Number),
})

// Daily active users, messages, tokens and failed model calls over the period (UTC days), and tokens by model.
export default defineEventHandler(async (event) => {
  await requireRole(event, 'Admin')
  const { days } = queryWith(event, query)
  const report = await usageReport(days)
  const { models } = useServerConfig().azureOpenai
  // A model no longer configured keeps its id as its label.
  return { ...report, byModel: report.byModel.map(m => ({ ...m, label: models.find(c => c.id === m.model)?.label ?? m.model })) }
})
