import { z } from 'zod'
import { shareModes } from '../../../../database/schema'

const params = z.object({ id: z.string().uuid('must be a UUID') })
const body = z.object({ mode: z.enum(shareModes, { error: 'must be snapshot or live' }).default('snapshot') })

// A read-only link to one of my chats for colleagues of my tenant.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = paramsWith(event, params)
  const { mode } = await readBodyWith(event, body)
  const share = await createShare(id, user.id, mode)
  await recordAudit({ action: 'share_created', actorId: user.id, target: { type: 'share', id: share.id }, details: { chatId: id, mode }, event })
  setResponseStatus(event, 201)
  return { ...share, path: `/shared/${share.id}`, viewers: [] }
})
