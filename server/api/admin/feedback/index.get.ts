import { z } from 'zod'

const query = z.object({
  days: z.enum(['7', '30', '90'], { error: 'must be 7, 30 or 90' }).default('30').transform(Number),
})

// Thumbs up/down per UTC day and model, the rate per model, and the latest comments.
export default defineEventHandler(async (event) => {
  await requireRole(event, 'Admin')
  const { days } = queryWith(event, query)
  const report = await feedbackReport(days)
  const { models } = useServerConfig().azureOpenai
  const label = (model: string) => models.find(m => m.id === model)?.label ?? model
  return {
    ...report,
    byModel: report.byModel.map(m => ({ ...m, label: label(m.model) })),
    latest: report.latest.map(f => ({ ...f, label: label(f.model) })),
    includesText: useServerConfig().feedback.includeText,
  }
})
