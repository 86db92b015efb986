/** The claims we read from Entra's v2.0 ID and access tokens. */
export interface EntraClaims {
  tid?: string
  oid?: string
  name?: string
  email?: string
  preferred_username?: string
  roles?: string[]
}

export function isTenantAllowed(tenantId: string | undefined): boolean {
  return !!tenantId && useServerConfig().azureAd.allowedTenants.includes(tenantId)
}
