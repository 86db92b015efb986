import { z } from 'zod'

const params = z.object({ id: z.string().uuid('must be a UUID') })

// The chat, with the assistant it was begun with (its name and icon, never its prompt).
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = paramsWith(event, params)
  const { assistantId, assistantVersion: _version, ...chat } = await requireChat(id, user.id)
  return { ...chat, assistant: assistantId ? await assistantSummary(assistantId) : null }
})
