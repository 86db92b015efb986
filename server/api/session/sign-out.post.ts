/**
 * Ends the session here (row and tokens deleted, cookie cleared) and returns Entra's end-session
 * URL for the browser to visit, so the Entra session ends too.
 */
export default defineEventHandler(async (event) => {
  const token = readSessionToken(event)
  if (token?.sid) {
    await deleteAuthSession(token.sid)
    await recordAudit({ action: 'sign_out', actorId: token.uid, target: { type: 'user', id: token.uid }, event })
  }
  clearSessionCookies(event)
  const { azureAd } = useServerConfig()
  const signedOut = `${publicOrigin(event)}/signed-out`
  const discovery = await getEntraDiscovery().catch(() => null)
  if (!discovery?.end_session_endpoint) return { redirect: signedOut }
  const url = new URL(discovery.end_session_endpoint)
  url.searchParams.set('post_logout_redirect_uri', signedOut)
  url.searchParams.set('client_id', azureAd.clientId)
  return { redirect: url.toString() }
})
