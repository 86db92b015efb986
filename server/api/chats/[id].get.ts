import { z } from 'zod'

const params = z.object({ id: z.string().uuid('must be a UUID') })

export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = paramsWith(event, params)
  const chat = await requireChat(id, user.id)
  return { ...chat, generating: isGenerating(id) }
})
