import { interactionPolicy } from 'oidc-provider'
import type { Grant, OidcKoaContext, Policy } from 'oidc-provider'

// Entra shows no consent page for an app whose permissions an admin pre-consented, and it
// issues a refresh token whenever offline_access is asked for. oidc-provider does neither by
// default, so this module teaches it both.

export const LOGIN_REQUIRED_DESCRIPTION = 'AADSTS50058: A silent sign-in request was sent but no user is signed in.'

/** Login (the account picker) and select_account prompts; consent never needs the user. */
export function createInteractionPolicy(): Policy {
  const policy = interactionPolicy.base()
  const noSession = policy.get('login')?.checks.get('no_session')
  if (noSession) noSession.description = LOGIN_REQUIRED_DESCRIPTION
  policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 1)
  return policy
}

/**
 * `loadExistingGrant`: the grant of this session (or a new one) extended to everything the
 * request asks for, which is what pre-consent means; the consent prompt then never fires.
 */
export async function loadPreconsentedGrant(ctx: OidcKoaContext): Promise<Grant | undefined> {
  const { oidc } = ctx
  const accountId = oidc.session.accountId
  if (!accountId || !oidc.client) return undefined
  const { clientId } = oidc.client
  const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(clientId)
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined
  const grant = existing?.accountId === accountId ? existing : new oidc.provider.Grant({ accountId, clientId })
  const oidcScopes = [...oidc.requestParamOIDCScopes].join(' ')
  if (oidcScopes) grant.addOIDCScope(oidcScopes)
  for (const [indicator, server] of Object.entries(oidc.resourceServers)) {
    const scopes = [...oidc.requestParamScopes].filter(scope => server.scopes.has(scope)).join(' ')
    if (scopes) grant.addResourceScope(indicator, scopes)
  }
  await grant.save()
  return grant
}

/**
 * oidc-provider strips offline_access from authorization requests without prompt=consent.
 * It runs `extraParams` validators after that step (for every request, the parameter being
 * present or not), so one of them puts the scope back when the raw request had it.
 */
export async function restoreOfflineAccess(ctx: OidcKoaContext): Promise<void> {
  const { oidc } = ctx
  const raw = ctx.method === 'POST' ? oidc.body?.scope : ctx.query.scope
  const requested = typeof raw === 'string' ? raw.split(' ') : []
  const scope = typeof oidc.params?.scope === 'string' ? oidc.params.scope : ''
  const responseType = String(oidc.params?.response_type ?? '')
  if (
    oidc.params
    && requested.includes('offline_access')
    && !scope.split(' ').includes('offline_access')
    && responseType.split(' ').includes('code')
    && oidc.client?.grantTypeAllowed('refresh_token')
  ) {
    oidc.params.scope = `${scope} offline_access`.trim()
  }
}
