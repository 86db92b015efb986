/** The claims we read from Entra's v2.0 ID and access tokens. */
export interface EntraClaims {
  tid?: string
  oid?: string
  name?: string
  email?: string
  preferred_username?: string
  roles?: string[]
  iss?: string
  /** Security group object ids, when the app registration emits the groups claim. */
  groups?: unknown[]
  /** Overage: too many groups for the token; read them from Graph. */
  hasgroups?: boolean | string
  _claim_names?: { groups?: string }
  /** 1 for a B2B guest, 0 for a member (optional claim). */
  acct?: number | string
  /** The identity provider that authenticated a guest: another tenant's issuer, live.com, … */
  idp?: string
}

export function isTenantAllowed(tenantId: string | undefined): boolean {
  return !!tenantId && useServerConfig().azureAd.allowedTenants.includes(tenantId)
}

/**
 * A B2B guest: `acct` is 1, or the identity provider is not this tenant (another tenant's
 * `https://sts.windows.net/{tid}/`, or live.com for a Microsoft account).
 */
export function isGuest(claims: EntraClaims): boolean {
  if (String(claims.acct) === '1') return true
  if (claims.idp && claims.tid && !claims.idp.includes(claims.tid)) return true
  return false
}
