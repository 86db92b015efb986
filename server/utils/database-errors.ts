// Codes that mean "the database is not there right now" rather than "this query is wrong":
// sockets (Node), postgres.js connection states, and PostgreSQL's shutdown and connection classes.
const unavailableCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  '57P01', '57P02', '57P03',
])

/** True when the error (or any error it wraps) says the database is unreachable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown, cause?: unknown, errors?: unknown[] } | undefined, depth = 0; e && depth < 6; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && (unavailableCodes.has(e.code) || e.code.startsWith('08'))) return true
    if (Array.isArray(e.errors) && e.errors.some(isDatabaseUnavailable)) return true
  }
  return false
}
