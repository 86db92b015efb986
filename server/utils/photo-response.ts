import { createHash } from 'node:crypto'
import type { H3Event } from 'h3'

/** Answers a stored photo with a strong ETag (304 when the browser has it) and a private cache. */
export async function sendUserPhoto(event: H3Event, userId: string) {
  const photo = await readUserPhoto(userId)
  if (!photo) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.photo', undefined, event) })
  const etag = `"${createHash('sha256').update(photo.bytes).digest('base64url').slice(0, 27)}"`
  // Private: a photo is personal data, not for shared caches; revalidate hourly via the ETag.
  setResponseHeaders(event, { 'Cache-Control': 'private, max-age=3600', 'ETag': etag })
  if (getHeader(event, 'if-none-match') === etag) {
    setResponseStatus(event, 304)
    return null
  }
  setResponseHeader(event, 'Content-Type', photo.contentType)
  return photo.bytes
}
