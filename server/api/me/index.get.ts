import { eq, isNotNull } from 'drizzle-orm'

// The signed-in user as the UI shows them, and whether the app is talking to the local emulators.
export default defineEventHandler(async (event) => {
  const current = await requireUser(event)
  const [user] = await useDb().select({
    id: tables.users.id,
    name: tables.users.displayName,
    email: tables.users.email,
    locale: tables.users.locale,
  }).from(tables.users).where(eq(tables.users.id, current.id))
  if (!user) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.user', undefined, event) })
  // Only ask the browser to load a photo that exists: no photo means initials, not a failed request.
  const [photo] = await useDb().select({ has: isNotNull(tables.userPhotos.bytes) }).from(tables.userPhotos).where(eq(tables.userPhotos.userId, current.id))
  const config = useServerConfig()
  // The message box counts against the same limit the server enforces.
  return { ...user, roles: current.roles, photo: photo?.has ? '/api/me/photo' : null, emulated: usesEmulators(config), limits: { maxMessageChars: config.limits.maxMessageChars } }
})
