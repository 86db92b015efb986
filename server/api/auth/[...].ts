import { NuxtAuthHandler } from '#auth'
import type { H3Event } from 'h3'

const handler = NuxtAuthHandler(useAuthOptions())

// Entra's answers to prompt=none when it cannot sign the user in silently.
const needsInteraction = new Set(['login_required', 'interaction_required', 'consent_required'])

/** The page the user was going to, from next-auth's callback-url cookie; only same-site paths. */
function returnPath(event: H3Event): string {
  const cookies = parseCookies(event)
  const value = cookies['__Secure-next-auth.callback-url'] ?? cookies['next-auth.callback-url']
  try {
    const url = new URL(value ?? '/', publicOrigin(event))
    return url.origin === publicOrigin(event) ? `${url.pathname}${url.search}` : '/'
  }
  catch {
    return '/'
  }
}

export default defineEventHandler((event) => {
  const query = getQuery(event)
  if (event.path.startsWith('/api/auth/callback/') && typeof query.error === 'string') {
    // Silent SSO found no Entra session: fall back to one interactive sign-in. The explicit
    // prompt makes a second silent attempt (and so a loop) impossible.
    if (needsInteraction.has(query.error)) {
      return sendRedirect(event, `/api/session/sign-in?${new URLSearchParams({ callbackUrl: returnPath(event), prompt: 'select_account' })}`)
    }
    // Entra reports refusals (AADSTS codes) as ?error= on the callback; next-auth would reduce
    // them all to "OAuthCallback", so our error page gets them whole.
    const description = typeof query.error_description === 'string' ? query.error_description.slice(0, 500) : ''
    return sendRedirect(event, `/auth/error?${new URLSearchParams({ error: query.error, description })}`)
  }
  if (event.path.startsWith('/api/auth/callback/')) markSignInCompleted(event)
  return handler(event)
})
