import { watch } from 'vue'

/**
 * sidebase re-reads the session when the window regains focus. When Entra refused the refresh the
 * session carries RefreshAccessTokenError and the user goes through sign-in (drafts kept); when an
 * administrator disabled the account it carries AccountDisabled and the user is told so.
 */
export function useSessionWatch() {
  const { data } = useAuth()
  watch(() => (data.value as { error?: string } | null)?.error, (error) => {
    if (error === 'RefreshAccessTokenError') endSession()
    else if (error === 'AccountDisabled') endSession(undefined, error)
  })
}
