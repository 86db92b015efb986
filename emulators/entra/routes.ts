// Entra's v2.0 endpoint paths, relative to `{authorityHost}/{tenantId}`. Discovery itself lives
// under `/v2.0`, the issuer's path, and the server rewrites it onto oidc-provider's fixed route.

export const routes = {
  authorization: '/oauth2/v2.0/authorize',
  token: '/oauth2/v2.0/token',
  jwks: '/discovery/v2.0/keys',
  end_session: '/oauth2/v2.0/logout',
  userinfo: '/oidc/userinfo',
}

export const DISCOVERY_PATH = '/v2.0/.well-known/openid-configuration'
export const PROVIDER_DISCOVERY_PATH = '/.well-known/openid-configuration'

/** The account picker, ours rather than oidc-provider's. */
export const INTERACTION_PREFIX = '/login/'
