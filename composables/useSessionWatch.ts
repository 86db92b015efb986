import { watch } from 'vue'

/**
 * sidebase re-reads the session when the window regains focus; when Entra refused the refresh the
 * session carries RefreshAccessTokenError, and the user goes through sign-in (drafts kept).
 */
export function useSessionWatch() {
  const { data } = useAuth()
  watch(() => (data.value as { error?: string } | null)?.error, (error) => {
    if (error === 'RefreshAccessTokenError') endSession()
  })
}
