import { z } from 'zod'

const discoverySchema = z.object({
  issuer: z.string(),
  authorization_endpoint: z.string().url(),
  token_endpoint: z.string().url(),
  jwks_uri: z.string().url(),
  end_session_endpoint: z.string().url().optional(),
})
export type EntraDiscovery = z.infer<typeof discoverySchema>

export class EntraUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`The sign-in service (Microsoft Entra ID) is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.name = 'EntraUnavailableError'
  }
}

export function discoveryUrl(): string {
  const { authorityHost, tenantId } = useServerConfig().azureAd
  return `${authorityHost}/${tenantId}/v2.0/.well-known/openid-configuration`
}

let cached: { value: EntraDiscovery, until: number } | undefined
let inflight: Promise<EntraDiscovery> | undefined

/** The tenant's OpenID configuration: every Entra endpoint we use comes from here, cached for an hour. */
export async function getEntraDiscovery(): Promise<EntraDiscovery> {
  if (cached && cached.until > Date.now()) return cached.value
  inflight ??= (async () => {
    try {
      const response = await fetch(discoveryUrl(), { signal: AbortSignal.timeout(10_000) })
      if (!response.ok) throw new Error(`discovery answered ${response.status}`)
      const value = discoverySchema.parse(await response.json())
      cached = { value, until: Date.now() + 3_600_000 }
      return value
    }
    catch (error) {
      throw new EntraUnavailableError(error)
    }
    finally {
      inflight = undefined
    }
  })()
  return inflight
}
