import { eq } from 'drizzle-orm'

const logger = taggedLogger('auth')

// Graph's photo changes rarely: fetch it at most once a day per user.
const PHOTO_MAX_AGE_MS = 24 * 3600_000

/**
 * Fetches the user's 96x96 photo from Graph with their delegated token and keeps it in
 * user_photos (never in the cookie). A 404 (no photo) is kept as "none", so the UI shows initials.
 * Never fails the caller: a photo is not worth a failed sign-in.
 */
export async function refreshUserPhoto(userId: string, userAccessToken: string): Promise<void> {
  const db = useDb()
  const [stored] = await db.select({ etag: tables.userPhotos.etag, fetchedAt: tables.userPhotos.fetchedAt })
    .from(tables.userPhotos).where(eq(tables.userPhotos.userId, userId))
  if (stored && Date.now() - stored.fetchedAt.getTime() < PHOTO_MAX_AGE_MS) return
  try {
    const response = await graphGet('/me/photos/96x96/$value', await graphTokenFor(userAccessToken), stored?.etag ? { 'if-none-match': stored.etag } : {})
    const fetchedAt = new Date()
    let values: Omit<typeof tables.userPhotos.$inferInsert, 'userId'>
    if (response.status === 304) values = { fetchedAt }
    else if (response.status === 404) values = { bytes: null, contentType: null, etag: null, fetchedAt }
    else if (response.ok) {
      values = {
        bytes: Buffer.from(await response.arrayBuffer()),
        contentType: response.headers.get('content-type') ?? 'image/jpeg',
        etag: response.headers.get('etag'),
        fetchedAt,
      }
    }
    else {
      logger.warn(`Graph answered ${response.status} to the photo of user ${userId}`)
      return
    }
    await db.insert(tables.userPhotos).values({ userId, ...values })
      .onConflictDoUpdate({ target: tables.userPhotos.userId, set: values })
  }
  catch (error) {
    logger.warn(`Could not fetch the photo of user ${userId}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** The stored photo of a user, or undefined when there is none. */
export async function readUserPhoto(userId: string) {
  const [photo] = await useDb().select({ bytes: tables.userPhotos.bytes, contentType: tables.userPhotos.contentType })
    .from(tables.userPhotos).where(eq(tables.userPhotos.userId, userId))
  return photo?.bytes ? { bytes: photo.bytes, contentType: photo.contentType ?? 'image/jpeg' } : undefined
}
