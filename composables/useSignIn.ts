/** Where to send the browser to sign in and come back to `returnTo`. */
export function signInUrl(returnTo: string, prompt?: 'select_account' | 'login', options: { fresh?: boolean } = {}): string {
  const params = new URLSearchParams({ callbackUrl: returnTo })
  if (prompt) params.set('prompt', prompt)
  // After the loop page: the user asked to try again, so the round count starts afresh.
  if (options.fresh) params.set('fresh', '1')
  return `/api/session/sign-in?${params}`
}

export function useSignOut() {
  return async () => {
    const { redirect } = await $fetch<{ redirect: string }>('/api/session/sign-out', { method: 'POST' })
    await navigateTo(redirect, { external: true })
  }
}
