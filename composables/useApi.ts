import type { FetchError } from 'ofetch'

let leaving = false

/**
 * The session ended (a 401, or a refresh Entra refused): write out every draft and go through
 * sign-in, coming back to the page the user was on. An account disabled by an administrator goes
 * to the page that says so instead: signing in again would only be refused.
 */
export function endSession(returnTo?: string, reason?: string) {
  if (import.meta.server || leaving) return
  leaving = true
  flushDrafts()
  if (reason === 'AccountDisabled') {
    window.location.assign(`/auth/error?${new URLSearchParams({ error: reason })}`)
    return
  }
  const path = returnTo ?? `${window.location.pathname}${window.location.search}`
  window.location.assign(signInUrl(path))
}

/** Our API with the cookie session: a 401 anywhere ends the session (see endSession). */
export function useApi() {
  const nuxtApp = useNuxtApp()
  // The language too: the server writes its error sentences in the reader's.
  const headers = import.meta.server ? useRequestHeaders(['cookie', 'accept-language']) : undefined
  return $fetch.create({
    headers,
    retry: 0,
    onResponseError({ response }) {
      if (response.status === 401 && import.meta.client) {
        const { reason } = problemFromResponse(401, response._data)
        nuxtApp.runWithContext(() => endSession(undefined, reason))
      }
    },
  })
}

/** A sentence for the user from a failed $fetch call. */
export function apiProblem(error: unknown): ChatProblem {
  const e = error as FetchError | undefined
  if (e?.response) return problemFromResponse(e.response.status, e.data, e.response.headers.get('retry-after'))
  return problemFromError(e?.cause instanceof TypeError ? e.cause : error)
}
