import { eq } from 'drizzle-orm'
import { z } from 'zod'

const params = z.object({ id: z.string().uuid('must be a UUID') })

// One user's data for a data-subject request: the same ZIP they would download themselves,
// audited with the administrator as the actor.
export default defineEventHandler(async (event) => {
  const admin = await requireRole(event, 'Admin')
  const { id } = paramsWith(event, params)
  const [user] = await useDb().select({ id: tables.users.id, name: tables.users.displayName }).from(tables.users).where(eq(tables.users.id, id))
  if (!user) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.user', undefined, event) })
  return sendDataExport(event, user, admin.id)
})
