import { describe, expect, it } from 'vitest'
import { ChatRequestError, NETWORK_MESSAGE, OWN_PROBLEM_MESSAGES, SESSION_MESSAGE, problemFromError, problemFromResponse, problemText } from '../../utils/chat-problems'
import en from '../../i18n/locales/en/chat.json'

/** A key's text in the English messages, as vue-i18n finds it. */
const english = (key: string) => key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], en) as string | undefined

describe('problemFromResponse', () => {
  it.each([
    [400, { message: 'Your message was blocked by the company\'s content filter (hate). Please rephrase it.', data: { kind: 'content-filter' } }, null, { kind: 'content-filter', retry: false }],
    [400, { message: 'Your message is too long: the limit is 16,000 characters.', data: { field: 'message.parts' } }, null, { kind: 'invalid', retry: false }],
    [409, { message: 'This chat is already being answered. Wait for the answer or press Stop.' }, null, { kind: 'busy', retry: true }],
    [429, { message: 'The assistant is busy right now (Azure OpenAI rate limit). Please try again in 2 seconds.', data: { kind: 'rate-limit', retryAfterSeconds: 2 } }, '2', { kind: 'rate-limit', retry: true, retryAfterSeconds: 2 }],
    [429, { message: 'You have used today\'s allowance of 500,000 tokens. It renews at midnight UTC.', data: { kind: 'quota', retryAfterSeconds: 40_000 } }, '40000', { kind: 'quota', retry: false }],
    [503, { message: 'The assistant is misconfigured and cannot reach the model right now.', data: { kind: 'misconfigured' } }, null, { kind: 'misconfigured', retry: true }],
    [504, { message: 'The model took too long to answer. Please try again.', data: { kind: 'timeout' } }, null, { kind: 'timeout', retry: true }],
  ])('reads a %i answer as a problem the user can act on', (status, body, retryAfter, expected) => {
    const problem = problemFromResponse(status, body, retryAfter)
    expect(problem).toMatchObject({ status, ...expected })
    expect(problem.message).toBe(body.message)
    // The server's sentence is already in the reader's language: shown as sent.
    expect(problem.messageKey).toBeUndefined()
  })

  it('takes the wait from Retry-After when the body has none', () => {
    expect(problemFromResponse(429, { message: 'Slow down.' }, '7').retryAfterSeconds).toBe(7)
  })

  it('says the session ended on a 401, whatever the body', () => {
    expect(problemFromResponse(401, { message: 'Unauthorized' })).toMatchObject({ kind: 'session', retry: false, message: SESSION_MESSAGE })
    expect(problemFromResponse(401, { message: 'Your session has ended. Please sign in again.', data: { reason: 'RefreshAccessTokenError' } }).reason).toBeUndefined()
  })

  it('names a disabled account on a 401, so the page explains instead of signing in again', () => {
    const message = 'Your account is disabled in the assistant. Contact your administrator.'
    expect(problemFromResponse(401, { message, data: { reason: 'AccountDisabled' } })).toEqual({ kind: 'session', status: 401, message, retry: false, reason: 'AccountDisabled' })
  })

  it('falls back to its own sentence when the body has no message', () => {
    expect(problemFromResponse(502, undefined).message).toBe('The model service failed to answer. Please try again in a moment.')
    expect(problemFromResponse(502, undefined).messageKey).toBe('chat.problem.messages.upstream')
  })
})

describe('problemFromError', () => {
  it('reads a lost network as a network problem', () => {
    expect(problemFromError(new TypeError('Failed to fetch'))).toEqual({ kind: 'network', message: NETWORK_MESSAGE, messageKey: 'chat.problem.messages.network', retry: true })
  })

  it('keeps the sentence of a stream error part', () => {
    expect(problemFromError(new Error('The connection to the model was lost in the middle of the answer. Please try again.')).message).toContain('connection to the model was lost')
  })

  it('unwraps our own request errors', () => {
    const problem = problemFromResponse(409, {})
    expect(problemFromError(new ChatRequestError(problem))).toBe(problem)
  })
})

describe('problemText', () => {
  const t = (key: string) => `«${key}»`

  it('translates the client\'s own sentence and shows the server\'s as sent', () => {
    expect(problemText(problemFromResponse(404, undefined), t)).toBe('«chat.problem.messages.notFound»')
    expect(problemText(problemFromResponse(409, { message: 'Already answering.' }), t)).toBe('Already answering.')
  })

  it('has every sentence of its own in the English messages, word for word', () => {
    for (const [key, message] of Object.entries(OWN_PROBLEM_MESSAGES)) expect(english(key), key).toBe(message)
    expect(english('chat.problem.messages.session')).toBe(SESSION_MESSAGE)
  })
})
