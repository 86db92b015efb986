import { z } from 'zod'
import { findDocument } from '../../documents/queries'

const params = z.object({ id: z.string().uuid('must be a UUID') })

export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = paramsWith(event, params)
  const document = await findDocument({ userId: user.id, groupIds: user.groups }, id)
  if (!document) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.document', undefined, event) })
  return document
})
