import type { FetchError } from 'ofetch'

let leaving = false

/**
 * The session ended (a 401, or a refresh Entra refused): write out every draft and go through
 * sign-in, coming back to the page the user was on.
 */
export function endSession(returnTo?: string) {
  if (import.meta.server || leaving) return
  leaving = true
  flushDrafts()
  const path = returnTo ?? `${window.location.pathname}${window.location.search}`
  window.location.assign(signInUrl(path))
}

/** Our API with the cookie session: a 401 anywhere sends the user through sign-in. */
export function useApi() {
  const nuxtApp = useNuxtApp()
  const headers = import.meta.server ? useRequestHeaders(['cookie']) : undefined
  return $fetch.create({
    headers,
    retry: 0,
    onResponseError({ response }) {
      if (response.status === 401 && import.meta.client) {
        nuxtApp.runWithContext(() => endSession())
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
