// Everything a test can change at run time, shared by all tenants of one emulator.

export const countedGrantTypes = ['authorization_code', 'refresh_token', 'client_credentials'] as const
export type CountedGrantType = typeof countedGrantTypes[number]

export interface EmulatorState {
  accessTokenTtlSeconds: number
  /** While true every OIDC endpoint drops the connection, as if Entra were unreachable. */
  outage: boolean
  tokenRequests: Record<CountedGrantType, number>
  disabledAccounts: Set<string>
  /** Refresh tokens killed by an explicit revoke, so their rejection can say why (AADSTS50173). */
  revokedRefreshTokens: Set<string>
}

function zeroCounts(): Record<CountedGrantType, number> {
  return { authorization_code: 0, refresh_token: 0, client_credentials: 0 }
}

export function createState(accessTokenTtlSeconds: number): EmulatorState {
  return {
    accessTokenTtlSeconds,
    outage: false,
    tokenRequests: zeroCounts(),
    disabledAccounts: new Set(),
    revokedRefreshTokens: new Set(),
  }
}

export function countTokenRequest(state: EmulatorState, grantType: unknown): void {
  if (countedGrantTypes.includes(grantType as CountedGrantType)) {
    state.tokenRequests[grantType as CountedGrantType] += 1
  }
}

export function resetStats(state: EmulatorState): void {
  state.tokenRequests = zeroCounts()
}
