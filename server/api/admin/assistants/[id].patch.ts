import { z } from 'zod'

const body = assistantChangeBody.extend({ published: z.boolean({ error: 'must be true or false' }).optional() })

// Changes or (un)publishes a company assistant. Audited with what changed, never the prompt's text.
export default defineEventHandler(async (event) => {
  const admin = await requireRole(event, 'Admin')
  const { id } = paramsWith(event, assistantParams)
  const change = await readBodyWith(event, body)
  const updated = await updateAssistant(id, { company: true }, change)
  if (!updated) throw assistantNotFound()
  await recordAudit({
    action: 'assistant_changed',
    actorId: admin.id,
    target: { type: 'assistant', id },
    details: { fields: Object.keys(change).filter(k => k !== 'published').sort(), ...(change.published === undefined ? {} : { published: change.published }), version: updated.row.version },
    event,
  })
  return adminAssistant(updated.row, updated.prompt)
})
