import { z } from 'zod'

const params = z.object({ id: z.string().uuid() })

// A user's profile photo for the admin users list; 404 when they have none.
export default defineEventHandler(async (event) => {
  await requireRole(event, 'Admin')
  const { id } = paramsWith(event, params)
  return sendUserPhoto(event, id)
})
