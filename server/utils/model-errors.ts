import { APICallError, RetryError } from 'ai'
import type { LocaleCode } from '../../shared/locales'
import { translate } from '../i18n'

export interface ModelProblem {
  kind: 'content-filter' | 'rate-limit' | 'misconfigured' | 'timeout' | 'upstream'
  status: number
  /** For the person chatting: what happened and what to do. */
  message: string
  /** For the operator: precise, never a secret or message text. */
  log: string
  retryAfterSeconds?: number
}

export class ModelTimeoutError extends Error {
  constructor(seconds: number) {
    super(`No answer from the model within ${seconds} s`)
    this.name = 'ModelTimeoutError'
  }
}

/** The categories Azure's content filter marked as filtered, e.g. ['hate']. */
export function filteredCategories(value: unknown): string[] {
  const found = new Set<string>()
  const visit = (node: unknown, key?: string) => {
    if (!node || typeof node !== 'object') return
    const record = node as Record<string, unknown>
    if (key && record.filtered === true) found.add(key.replace(/_/g, ' '))
    for (const [k, v] of Object.entries(record)) visit(v, k)
  }
  visit(value)
  return [...found].filter(c => !['content filter result', 'content filter results', 'prompt filter results', 'error', 'innererror'].includes(c))
}

function retryAfter(headers: Record<string, string> | undefined): number | undefined {
  const ms = Number(headers?.['retry-after-ms'])
  if (Number.isFinite(ms) && ms > 0) return Math.ceil(ms / 1000)
  const seconds = Number(headers?.['retry-after'])
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : undefined
}

function requestId(error: APICallError): string {
  const id = error.responseHeaders?.['apim-request-id'] ?? error.responseHeaders?.['x-request-id']
  return id ? ` (Azure request ${id})` : ''
}

type Rule = { when: (e: APICallError) => boolean, then: (e: APICallError, locale: LocaleCode) => ModelProblem }

// One table for every way Azure OpenAI says no; first match wins.
const rules: Rule[] = [
  {
    when: e => e.statusCode === 400 && /content_filter|ResponsibleAIPolicyViolation/.test(e.responseBody ?? ''),
    then: (e, locale) => {
      const categories = filteredCategories(safeJson(e.responseBody))
      const named = categories.length ? ` (${categories.join(', ')})` : ''
      return {
        kind: 'content-filter',
        status: 400,
        message: translate(locale, 'model.contentFilter', { categories: named }),
        log: `Prompt blocked by the Azure content filter${named}${requestId(e)}`,
      }
    },
  },
  {
    // Reasoning models refuse sampling parameters (temperature, top_p, ...): our settings are at
    // fault, not the user's message, so the operator gets the parameter and the user a plain sentence.
    when: e => e.statusCode === 400 && /unsupported_parameter|unsupported_value/.test(e.responseBody ?? ''),
    then: (e, locale) => {
      const error = (safeJson(e.responseBody) as { error?: { param?: string, message?: string } } | undefined)?.error
      return {
        kind: 'misconfigured',
        status: 503,
        message: translate(locale, 'model.misconfigured'),
        log: `Azure OpenAI refused the parameter ${error?.param ?? '(unnamed)'} at ${e.url}: ${error?.message ?? e.message} Check the deployment's "reasoning" setting in AZURE_OPENAI_DEPLOYMENTS${requestId(e)}`,
      }
    },
  },
  {
    when: e => e.statusCode === 429,
    then: (e, locale) => {
      const wait = retryAfter(e.responseHeaders) ?? 10
      return {
        kind: 'rate-limit',
        status: 429,
        retryAfterSeconds: wait,
        message: translate(locale, 'model.rateLimit', { seconds: wait }),
        log: `Azure OpenAI rate limit persisted after retries; asked to wait ${wait}s${requestId(e)}`,
      }
    },
  },
  {
    when: e => e.statusCode === 401 || e.statusCode === 403,
    then: (e, locale) => ({
      kind: 'misconfigured',
      status: 503,
      message: translate(locale, 'model.misconfigured'),
      log: `Azure OpenAI refused our credentials (${e.statusCode}) at ${e.url}: check AZURE_OPENAI_API_KEY, or that the identity holds the "Cognitive Services OpenAI User" role${requestId(e)}`,
    }),
  },
  {
    when: e => e.statusCode === 404,
    then: (e, locale) => ({
      kind: 'misconfigured',
      status: 503,
      message: translate(locale, 'model.misconfigured'),
      log: `Azure OpenAI answered 404 at ${e.url}: check AZURE_OPENAI_DEPLOYMENT and AZURE_OPENAI_ENDPOINT${requestId(e)}`,
    }),
  },
  {
    when: e => e.statusCode === 200,
    then: (e, locale) => ({
      kind: 'upstream',
      status: 502,
      message: translate(locale, 'model.streamLost'),
      log: `Azure OpenAI stream broke off: ${e.message}${requestId(e)}`,
    }),
  },
]

function safeJson(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined
  }
  catch {
    return undefined
  }
}

/**
 * Turns any failure of a model call into a status, a sentence for the user (in `locale`: the
 * language of the request that asked, also when the sentence is stored) and a log line.
 */
export function describeModelError(error: unknown, locale: LocaleCode = 'en'): ModelProblem {
  const cause = RetryError.isInstance(error) ? error.lastError : error
  if (cause instanceof ModelTimeoutError) {
    return { kind: 'timeout', status: 504, message: translate(locale, 'model.timeout'), log: cause.message }
  }
  if (APICallError.isInstance(cause)) {
    const rule = rules.find(r => r.when(cause))
    if (rule) return rule.then(cause, locale)
    return {
      kind: 'upstream',
      status: 502,
      message: translate(locale, 'model.failed'),
      log: `Azure OpenAI answered ${cause.statusCode ?? 'without a status'} at ${cause.url}: ${cause.message}${requestId(cause)}`,
    }
  }
  const message = cause instanceof Error ? cause.message : String(cause)
  return {
    kind: 'upstream',
    status: 502,
    message: translate(locale, 'model.unreachable'),
    log: `Model call failed: ${message}`,
  }
}
