import { z } from 'zod'
import { listDocuments } from '../../documents/queries'

const query = z.object({ chatId: z.string().uuid('must be a UUID').optional() })

/** My documents, my chats' attachments and my groups' libraries, each with its processing status. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { chatId } = queryWith(event, query)
  return { documents: await listDocuments({ userId: user.id, groupIds: user.groups }, { chatId }) }
})
