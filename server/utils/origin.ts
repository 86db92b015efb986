import type { H3Event } from 'h3'

/** The app's public origin: AUTH_ORIGIN when set (always in production), else the request's. */
export function publicOrigin(event: H3Event): string {
  if (process.env.AUTH_ORIGIN) return useServerConfig().auth.origin
  return getRequestURL(event).origin
}
