// Every page needs a signed-in user; without one the browser goes straight to Entra through
// /api/session/sign-in (a redirect, never a page of ours). Pages opt out with `auth: false`.
export default defineNuxtRouteMiddleware((to) => {
  if (to.meta.auth === false) return
  const { status, data } = useAuth()
  const error = (data.value as { error?: string } | null)?.error
  // Signing in again would only be refused: say why instead.
  if (error === 'AccountDisabled') return navigateTo('/auth/error?error=AccountDisabled')
  if (status.value === 'authenticated' && error !== 'RefreshAccessTokenError') return
  if (error === 'SignInServiceUnavailable') return
  return navigateTo(signInUrl(to.fullPath), { external: true })
})
