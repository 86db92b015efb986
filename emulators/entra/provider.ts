import Provider from 'oidc-provider'
import type { JWK } from 'jose'
import type { KoaContext, OidcKoaContext } from 'oidc-provider'
import type { Tenant } from './accounts.ts'
import { entraAccessTokenCustomizer } from './access-token.ts'
import { createInteractionPolicy, loadPreconsentedGrant, restoreOfflineAccess } from './consent.ts'
import { pairwiseSubject } from './identity.ts'
import { countTokenRequests, endSessionWithoutConfirmation, entraTokenResponses, refreshPolicies } from './middleware.ts'
import { JWT_BEARER, registerOnBehalfOf } from './on-behalf-of.ts'
import { createFindAccount } from './oidc-account.ts'
import { renderErrorPage, renderSignedOut } from './pages.ts'
import { assertDefaultScope, resourceForScope, resourceServerInfo } from './resources.ts'
import { INTERACTION_PREFIX, routes } from './routes.ts'
import type { EmulatorState } from './state.ts'
import type { TokenStore } from './store.ts'

export interface ClientRegistration {
  clientId: string
  clientSecret: string
  redirectUris: string[]
  postLogoutRedirectUris?: string[]
}

export interface TenantProviderOptions {
  issuer: string
  tenant: Tenant
  clients: ClientRegistration[]
  signingKey: JWK
  state: EmulatorState
  store: TokenStore
  /** The Microsoft Graph resources (audiences) the on-behalf-of grant issues tokens for. */
  graphResources: string[]
}

const DAY = 24 * 60 * 60

/** One oidc-provider per tenant, configured to behave like Entra ID's v2.0 endpoints. */
export function createTenantProvider({ issuer, tenant, clients, signingKey, state, store, graphResources }: TenantProviderOptions): Provider {
  const appIds = clients.map(client => client.clientId)
  // Per-tenant names: all tenants share one host, and a cookie of one must not clobber another's.
  const cookieSuffix = tenant.id.slice(0, 8)
  const sessionCookie = `esctx_${cookieSuffix}`

  const provider = new Provider(issuer, {
    adapter: store.adapterFor,
    clients: clients.map(client => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: client.redirectUris,
      post_logout_redirect_uris: client.postLogoutRedirectUris ?? [],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials', JWT_BEARER],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      subject_type: 'pairwise',
      // oidc-provider insists on a sector identifier once redirect URIs span several hosts (the
      // app on several ports); our pairwiseIdentifier below ignores it, so it is never fetched.
      sector_identifier_uri: `https://sector.entra-emulator.invalid/${client.clientId}`,
    })),
    sectorIdentifierUriValidate: () => false,
    jwks: { keys: [signingKey] },
    routes,
    cookies: {
      names: { session: sessionCookie, interaction: `esinteraction_${cookieSuffix}`, resume: `esresume_${cookieSuffix}` },
    },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      openid: ['sub', 'oid', 'tid', 'ver', 'roles', 'groups', 'acct', 'idp'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
    },
    // Entra puts the profile claims in the ID token even when an access token is issued too.
    conformIdTokenClaims: false,
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: (_ctx: KoaContext, accountId: string, client: { clientId: string }) => pairwiseSubject(client.clientId, accountId),
    findAccount: createFindAccount(tenant.id, state, graphResources[0]!),
    loadExistingGrant: loadPreconsentedGrant,
    extraParams: { domain_hint: restoreOfflineAccess },
    interactions: {
      policy: createInteractionPolicy(),
      url: (_ctx: KoaContext, interaction: { uid: string }) => `/${tenant.id}${INTERACTION_PREFIX}${interaction.uid}`,
    },
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    rotateRefreshToken: true,
    // Entra's tokens outlive the browser session: signing out does not revoke them.
    expiresWithSession: () => false,
    ttl: {
      AccessToken: () => state.accessTokenTtlSeconds,
      ClientCredentials: () => state.accessTokenTtlSeconds,
      AuthorizationCode: 10 * 60,
      IdToken: 60 * 60,
      RefreshToken: 90 * DAY,
      Grant: 90 * DAY,
      Session: DAY,
      Interaction: 60 * 60,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        // Never reaches a browser: endSessionWithoutConfirmation replaces it with the redirect.
        logoutSource: (ctx: KoaContext, form: string) => {
          ctx.type = 'html'
          ctx.body = form
        },
        postLogoutSuccessSource: (ctx: KoaContext) => {
          ctx.type = 'html'
          ctx.body = renderSignedOut()
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: (ctx: OidcKoaContext, _client: unknown, oneOf?: string[]) => {
          if (oneOf) return oneOf[0]
          const { scope, grant_type: grantType } = ctx.oidc.params ?? {}
          if (grantType === 'client_credentials') assertDefaultScope(scope)
          return resourceForScope(scope, appIds)
        },
        // Refreshes and code redemptions carry no scope prefix: keep the resource granted.
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: KoaContext, indicator: string) =>
          resourceServerInfo(indicator, appIds, tenant.domain, state.accessTokenTtlSeconds),
      },
    },
    formats: { customizers: { jwt: entraAccessTokenCustomizer(tenant.id, graphResources[0]!) } },
    discovery: {
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      tenant_region_scope: 'WW',
      rbac_url: 'https://pas.windows.net',
    },
    renderError: (ctx: KoaContext, out: Record<string, unknown>) => {
      ctx.type = 'html'
      ctx.body = renderErrorPage(out)
    },
  })

  provider.use(countTokenRequests(state))
  provider.use(entraTokenResponses(state, tenant.domain))
  provider.use(refreshPolicies(state))
  registerOnBehalfOf(provider, { tenant, issuer, signingKey, state, graphResources })
  provider.use(endSessionWithoutConfirmation({
    sessionCookie,
    postLogoutRedirectUris: new Map(clients.map(client => [client.clientId, client.postLogoutRedirectUris ?? []])),
  }))
  provider.on('grant.error', (ctx, error) => {
    ctx.state.errorDetail = error.error_detail
  })
  return provider
}
