import { errors } from 'oidc-provider'

// Entra has no `resource` parameter in v2.0: the resource is the prefix of a scope
// (`{appId}/access_as_user`, `api://{appId}/...`, `https://cognitiveservices.azure.com/.default`).
// oidc-provider wants RFC 8707 resource indicators, so scopes are mapped to one here.

export const COGNITIVE_SERVICES = 'https://cognitiveservices.azure.com'
const APP_SCOPE = 'access_as_user'
const COGNITIVE_SCOPE = 'user_impersonation'

/** The resource a scope string addresses (the first scope with a prefix wins), if any. */
export function resourceForScope(scope: unknown, appIds: readonly string[]): string | undefined {
  if (typeof scope !== 'string') return undefined
  for (const item of scope.split(' ')) {
    const slash = item.lastIndexOf('/')
    if (slash <= 0) continue
    const prefix = item.slice(0, slash)
    const appId = prefix.startsWith('api://') ? prefix.slice('api://'.length) : prefix
    return appIds.includes(appId) ? `api://${appId}` : prefix
  }
  return undefined
}

/** Entra accepts nothing but `{resource}/.default` for client credentials. */
export function assertDefaultScope(scope: unknown): void {
  const items = typeof scope === 'string' ? scope.split(' ').filter(Boolean) : []
  if (items.length === 0 || !items.every(item => item.endsWith('/.default'))) {
    throw new errors.CustomOIDCProviderError('invalid_scope', `AADSTS1002012: The provided value for scope ${items.join(' ') || '(none)'} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`)
  }
}

export interface ResourceServerInfo {
  scope: string
  audience: string
  accessTokenTTL: number
  accessTokenFormat: 'jwt'
  jwt: { sign: { alg: 'RS256' } }
}

export function resourceServerInfo(
  indicator: string,
  appIds: readonly string[],
  tenantName: string,
  accessTokenTTL: number,
): ResourceServerInfo {
  const common = { accessTokenTTL, accessTokenFormat: 'jwt' as const, jwt: { sign: { alg: 'RS256' as const } } }
  if (indicator === COGNITIVE_SERVICES) {
    return { ...common, audience: COGNITIVE_SERVICES, scope: `${COGNITIVE_SERVICES}/.default` }
  }
  const appId = indicator.startsWith('api://') ? indicator.slice('api://'.length) : undefined
  if (appId && appIds.includes(appId)) {
    const scope = [appId, indicator].flatMap(prefix => [`${prefix}/${APP_SCOPE}`, `${prefix}/.default`]).join(' ')
    return { ...common, audience: appId, scope }
  }
  throw new errors.InvalidTarget(`AADSTS500011: The resource principal named ${indicator} was not found in the tenant named ${tenantName}.`)
}

/** Entra's `scp`: the scope names without their resource prefix; `.default` means all of them. */
export function scpClaim(scope: string | undefined, audience: unknown): string | undefined {
  const names = new Set((scope ?? '').split(' ').filter(Boolean).map((item) => {
    const name = item.slice(item.lastIndexOf('/') + 1)
    if (name !== '.default') return name
    return audience === COGNITIVE_SERVICES ? COGNITIVE_SCOPE : APP_SCOPE
  }))
  return names.size ? [...names].join(' ') : undefined
}
