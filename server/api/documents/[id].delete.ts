import { sql } from 'drizzle-orm'
import { z } from 'zod'
import { findDocument } from '../../documents/queries'

const params = z.object({ id: z.string().uuid('must be a UUID') })

/** Removes a document with its text, chunks, file and job (cascades); audited. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = paramsWith(event, params)
  const document = await findDocument({ userId: user.id, groupIds: user.groups }, id)
  if (!document) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.document', undefined, event) })
  const isAdmin = user.roles.includes('Admin')
  if (document.ownerId !== user.id && !(document.scope === 'group' && isAdmin)) {
    throw createError({ statusCode: 403, statusMessage: 'Forbidden', message: say('documents.removeForbidden', undefined, event) })
  }
  await useDb().transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM documents WHERE id = ${id}`)
    await recordAudit({ action: 'document_deleted', actorId: user.id, target: { type: 'document', id }, details: { scope: document.scope, chunks: document.chunks }, event }, tx as unknown as Database)
  })
  setResponseStatus(event, 204)
  return null
})
