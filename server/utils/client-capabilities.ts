// The `cp1` client capability tells Entra that this app handles claims challenges, so it issues
// long-lived, revocable (CAE) tokens and sends challenges instead of silently failing.
const CP1 = { xms_cc: { values: ['cp1'] } }

/** The `claims` request parameter: cp1, merged with a Conditional Access challenge to answer. */
export function claimsParameter(challenge?: string | null): string {
  let parsed: { access_token?: Record<string, unknown> } & Record<string, unknown> = {}
  if (challenge) {
    try {
      parsed = JSON.parse(challenge)
    }
    catch {
      parsed = {}
    }
  }
  return JSON.stringify({ ...parsed, access_token: { ...parsed.access_token, ...CP1 } })
}
