export type ProblemKind
  = | 'content-filter' | 'rate-limit' | 'quota' | 'misconfigured' | 'timeout' | 'upstream'
    | 'busy' | 'network' | 'session' | 'invalid' | 'not-found' | 'unknown'

/** Something that went wrong, in words for the person chatting, and what they can do about it. */
export interface ChatProblem {
  kind: ProblemKind
  message: string
  status?: number
  /** Seconds to wait before a retry can work (rate limits). */
  retryAfterSeconds?: number
  /** Whether sending the same message again can help. */
  retry: boolean
  /** Why the session ended (a 401), as the server names it: 'AccountDisabled' means signing in again would be refused. */
  reason?: string
}

export class ChatRequestError extends Error {
  constructor(readonly problem: ChatProblem) {
    super(problem.message)
    this.name = 'ChatRequestError'
  }
}

interface ErrorBody {
  message?: unknown
  statusMessage?: unknown
  data?: { kind?: unknown, retryAfterSeconds?: unknown, reason?: unknown } | null
}

const fallback: Record<number, string> = {
  400: 'The assistant could not accept this message.',
  404: 'This conversation no longer exists.',
  409: 'This chat is already being answered. Wait for the answer or press Stop.',
  429: 'The assistant is busy right now. Please try again in a moment.',
  502: 'The model service failed to answer. Please try again in a moment.',
  503: 'The assistant is unavailable right now. Please try again in a moment.',
  504: 'The model took too long to answer. Please try again.',
}

export const NETWORK_MESSAGE = 'Could not reach the assistant. Check your connection and try again.'
export const SESSION_MESSAGE = 'Your session has ended. Sign in again to continue.'

const serverKinds: ProblemKind[] = ['content-filter', 'rate-limit', 'quota', 'misconfigured', 'timeout', 'upstream']

function positiveNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.ceil(n) : undefined
}

/** Turns an error answer of our API (status, JSON body, Retry-After) into a problem to show. */
export function problemFromResponse(status: number, body: unknown, retryAfterHeader?: string | null): ChatProblem {
  const b = (body && typeof body === 'object' ? body : {}) as ErrorBody
  const serverMessage = typeof b.message === 'string' && b.message.trim() && !/^(HTTP )?\d{3}\b/.test(b.message) ? b.message : undefined
  const dataKind = typeof b.data?.kind === 'string' && serverKinds.includes(b.data.kind as ProblemKind) ? b.data.kind as ProblemKind : undefined
  const retryAfterSeconds = positiveNumber(b.data?.retryAfterSeconds) ?? positiveNumber(retryAfterHeader)

  if (status === 401) {
    // Disabled by an administrator: the page goes to the explanation, not through sign-in again.
    if (b.data?.reason === 'AccountDisabled') return { kind: 'session', status, message: serverMessage ?? SESSION_MESSAGE, retry: false, reason: 'AccountDisabled' }
    return { kind: 'session', status, message: SESSION_MESSAGE, retry: false }
  }
  if (status === 404) return { kind: 'not-found', status, message: fallback[404]!, retry: false }
  if (status === 409) return { kind: 'busy', status, message: serverMessage ?? fallback[409]!, retry: true }
  if (status === 429) {
    const kind = dataKind === 'quota' ? 'quota' : 'rate-limit'
    // A daily quota renews hours later: a Retry button would only fail again.
    const retry = kind === 'rate-limit' || (retryAfterSeconds ?? 0) <= 120
    return { kind, status, message: serverMessage ?? fallback[429]!, retryAfterSeconds, retry }
  }
  if (status === 400) {
    const kind = dataKind === 'content-filter' ? 'content-filter' : 'invalid'
    return { kind, status, message: serverMessage ?? fallback[400]!, retry: false }
  }
  if (status >= 500) {
    const kind = dataKind ?? (status === 504 ? 'timeout' : 'upstream')
    return { kind, status, message: serverMessage ?? fallback[status] ?? fallback[502]!, retryAfterSeconds, retry: true }
  }
  return { kind: 'unknown', status, message: serverMessage ?? 'Something went wrong. Please try again.', retry: true }
}

/** Any failure of a chat request: our own errors, a lost network, or a stream's error part. */
export function problemFromError(error: unknown): ChatProblem {
  if (error instanceof ChatRequestError) return error.problem
  if (error instanceof TypeError) return { kind: 'network', message: NETWORK_MESSAGE, retry: true }
  // A stream's error part carries the server's sentence for the user (errorText).
  const message = error instanceof Error && error.message ? error.message : 'Something went wrong. Please try again.'
  return { kind: 'upstream', message, retry: true }
}
