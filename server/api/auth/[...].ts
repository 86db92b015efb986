import { NuxtAuthHandler } from '#auth'

const handler = NuxtAuthHandler(useAuthOptions())

export default defineEventHandler((event) => {
  // Entra reports refusals (AADSTS codes, login_required for prompt=none) as ?error= on the
  // callback; next-auth would reduce them all to "OAuthCallback", so our error page gets them whole.
  const query = getQuery(event)
  if (event.path.startsWith('/api/auth/callback/') && typeof query.error === 'string') {
    const description = typeof query.error_description === 'string' ? query.error_description.slice(0, 500) : ''
    return sendRedirect(event, `/auth/error?${new URLSearchParams({ error: query.error, description })}`)
  }
  return handler(event)
})
