import { eq } from 'drizzle-orm'

// The signed-in user as the UI shows them, and whether the app is talking to the local emulators.
export default defineEventHandler(async (event) => {
  const current = await requireUser(event)
  const [user] = await useDb().select({
    id: tables.users.id,
    name: tables.users.displayName,
    email: tables.users.email,
  }).from(tables.users).where(eq(tables.users.id, current.id))
  if (!user) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: 'User not found' })
  return { ...user, roles: current.roles, emulated: usesEmulators(useServerConfig()) }
})
