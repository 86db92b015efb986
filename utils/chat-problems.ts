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
  /**
   * Set when `message` is the client's own sentence (the server sent none): its message key, so
   * that a component shows it in the reader's language (problemText). The server's sentences come
   * in that language already.
   */
  messageKey?: ProblemMessageKey
}

/** A problem's sentence in the reader's language: the server's as sent, the client's own translated. */
export function problemText(problem: Pick<ChatProblem, 'message' | 'messageKey'>, t: (key: string) => string): string {
  return problem.messageKey ? t(problem.messageKey) : problem.message
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

/**
 * The client's own sentences, for answers that carry none (a proxy's error page, a lost network),
 * by message key. English here for callers without a translator, and the same in
 * i18n/locales/en/chat.json (tests/unit/chat-problems.test.ts keeps the two alike).
 */
export const OWN_PROBLEM_MESSAGES = {
  'chat.problem.messages.invalid': 'The assistant could not accept this message.',
  'chat.problem.messages.notFound': 'This conversation no longer exists.',
  'chat.problem.messages.busy': 'This chat is already being answered. Wait for the answer or press Stop.',
  'chat.problem.messages.rateLimit': 'The assistant is busy right now. Please try again in a moment.',
  'chat.problem.messages.upstream': 'The model service failed to answer. Please try again in a moment.',
  'chat.problem.messages.unavailable': 'The assistant is unavailable right now. Please try again in a moment.',
  'chat.problem.messages.timeout': 'The model took too long to answer. Please try again.',
  'chat.problem.messages.network': 'Could not reach the assistant. Check your connection and try again.',
  'chat.problem.messages.session': 'Your session has ended. Sign in again to continue.',
  'chat.problem.messages.unknown': 'Something went wrong. Please try again.',
} as const

export type ProblemMessageKey = keyof typeof OWN_PROBLEM_MESSAGES

const fallback: Record<number, ProblemMessageKey> = {
  400: 'chat.problem.messages.invalid',
  404: 'chat.problem.messages.notFound',
  409: 'chat.problem.messages.busy',
  429: 'chat.problem.messages.rateLimit',
  502: 'chat.problem.messages.upstream',
  503: 'chat.problem.messages.unavailable',
  504: 'chat.problem.messages.timeout',
}

export const NETWORK_MESSAGE = OWN_PROBLEM_MESSAGES['chat.problem.messages.network']
export const SESSION_MESSAGE = OWN_PROBLEM_MESSAGES['chat.problem.messages.session']

/** The server's sentence when it sent one, else the client's own (with its key). */
function say(serverMessage: string | undefined, key: ProblemMessageKey): Pick<ChatProblem, 'message' | 'messageKey'> {
  return serverMessage ? { message: serverMessage } : { message: OWN_PROBLEM_MESSAGES[key], messageKey: key }
}

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
    if (b.data?.reason === 'AccountDisabled') return { kind: 'session', status, ...say(serverMessage, 'chat.problem.messages.session'), retry: false, reason: 'AccountDisabled' }
    return { kind: 'session', status, ...say(undefined, 'chat.problem.messages.session'), retry: false }
  }
  if (status === 404) return { kind: 'not-found', status, ...say(undefined, fallback[404]!), retry: false }
  if (status === 409) return { kind: 'busy', status, ...say(serverMessage, fallback[409]!), retry: true }
  if (status === 429) {
    const kind = dataKind === 'quota' ? 'quota' : 'rate-limit'
    // A daily quota renews hours later: a Retry button would only fail again.
    const retry = kind === 'rate-limit' || (retryAfterSeconds ?? 0) <= 120
    return { kind, status, ...say(serverMessage, fallback[429]!), retryAfterSeconds, retry }
  }
  if (status === 400) {
    const kind = dataKind === 'content-filter' ? 'content-filter' : 'invalid'
    return { kind, status, ...say(serverMessage, fallback[400]!), retry: false }
  }
  if (status >= 500) {
    const kind = dataKind ?? (status === 504 ? 'timeout' : 'upstream')
    return { kind, status, ...say(serverMessage, fallback[status] ?? fallback[502]!), retryAfterSeconds, retry: true }
  }
  return { kind: 'unknown', status, ...say(serverMessage, 'chat.problem.messages.unknown'), retry: true }
}

/** Any failure of a chat request: our own errors, a lost network, or a stream's error part. */
export function problemFromError(error: unknown): ChatProblem {
  if (error instanceof ChatRequestError) return error.problem
  if (error instanceof TypeError) return { kind: 'network', ...say(undefined, 'chat.problem.messages.network'), retry: true }
  // A stream's error part carries the server's sentence for the user (errorText).
  const message = error instanceof Error && error.message ? error.message : undefined
  return { kind: 'upstream', ...say(message, 'chat.problem.messages.unknown'), retry: true }
}
