// Everything a test can change at run time, shared by all tenants of one emulator.

export const countedGrantTypes = ['authorization_code', 'refresh_token', 'client_credentials'] as const
export type CountedGrantType = typeof countedGrantTypes[number]

export interface EmulatorState {
  accessTokenTtlSeconds: number
  /** When set, token responses claim this `expires_in` (0: expired on arrival, as with clock skew). */
  reportedExpiresInSeconds: number | null
  /** While true every OIDC endpoint drops the connection, as if Entra were unreachable. */
  outage: boolean
  tokenRequests: Record<CountedGrantType, number>
  disabledAccounts: Set<string>
  /** Refresh tokens killed by an explicit revoke, so their rejection can say why (AADSTS50173). */
  revokedRefreshTokens: Set<string>
  /** Accounts revoked ("revoke sessions"), with when: tokens issued before it fail CAE checks. */
  revokedAt: Map<string, number>
  /** Accounts a Conditional Access policy now challenges (step-up): refresh, OBO and Graph answer with claims. */
  claimsChallenges: Set<string>
  /** Accounts whose refreshes Entra refuses, e.g. to provoke a sign-in loop. */
  refusedRefreshes: Set<string>
  /** Microsoft Graph stand-in requests, by path. */
  graphRequests: Record<string, number>
}

function zeroCounts(): Record<CountedGrantType, number> {
  return { authorization_code: 0, refresh_token: 0, client_credentials: 0 }
}

export function createState(accessTokenTtlSeconds: number): EmulatorState {
  return {
    accessTokenTtlSeconds,
    reportedExpiresInSeconds: null,
    outage: false,
    tokenRequests: zeroCounts(),
    disabledAccounts: new Set(),
    revokedRefreshTokens: new Set(),
    revokedAt: new Map(),
    claimsChallenges: new Set(),
    refusedRefreshes: new Set(),
    graphRequests: {},
  }
}

export function countTokenRequest(state: EmulatorState, grantType: unknown): void {
  if (countedGrantTypes.includes(grantType as CountedGrantType)) {
    state.tokenRequests[grantType as CountedGrantType] += 1
  }
}

export function resetStats(state: EmulatorState): void {
  state.tokenRequests = zeroCounts()
  state.graphRequests = {}
}

/** The Conditional Access policy id a challenge for this account names (in `capolids`). */
export function challengePolicyId(oid: string): string {
  return `ca-${oid}`
}

/** Entra's `claims` challenge for an account: what the authorize request must carry to satisfy it. */
export function claimsChallenge(oid: string): string {
  return JSON.stringify({ access_token: { capolids: { essential: true, values: [challengePolicyId(oid)] } } })
}
