import type { H3Event } from 'h3'
import { z } from 'zod'
import type { MessageKey, MessageParams } from '../i18n'

// zod writes its own sentences in the reader's language; English is zod's default, left as it is.
const zodLocales = { de: z.locales.de, fr: z.locales.fr }
const zodErrors: Partial<Record<keyof typeof zodLocales, z.core.$ZodErrorMap>> = {}

/** safeParse options that make zod speak the language of `event`'s reader. */
export function zodLocaleOptions(event: H3Event): { error: z.core.$ZodErrorMap } | undefined {
  const locale = requestLocale(event)
  if (locale === 'en') return undefined
  return { error: zodErrors[locale] ??= zodLocales[locale]().localeError }
}

/** A schema's own message, in the language of the request being parsed: `.min(1, zodMessage('validation.notEmpty'))`. */
export function zodMessage<K extends MessageKey>(key: K, params?: MessageParams<K>): { error: () => string } {
  return { error: () => say(key, params) }
}

function invalid(event: H3Event, error: z.ZodError): never {
  const first = error.issues[0]!
  const field = first.path.join('.') || 'body'
  throw createError({
    statusCode: 400,
    statusMessage: 'Bad Request',
    message: say('request.invalidField', { field, problem: first.message }, event),
    data: { field, issues: error.issues.map(i => ({ field: i.path.join('.'), message: i.message })) },
  })
}

function parseWith<S extends z.ZodType>(event: H3Event, schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value, zodLocaleOptions(event))
  if (!result.success) invalid(event, result.error)
  return result.data
}

const json = /^application\/([\w.+-]+\+)?json\s*(;|$)/i

/** Validated JSON body: 415 for another format, a 400 naming the first field that failed, never a 500. */
export async function readBodyWith<S extends z.ZodType>(event: H3Event, schema: S): Promise<z.infer<S>> {
  const type = getRequestHeader(event, 'content-type')
  const sent = type !== undefined || Number(getRequestHeader(event, 'content-length') || 0) > 0 || getRequestHeader(event, 'transfer-encoding') !== undefined
  if (sent && !json.test(type ?? '')) {
    throw createError({ statusCode: 415, statusMessage: 'Unsupported Media Type', message: say('request.jsonOnly', undefined, event) })
  }
  const body = await readBody(event).catch(() => {
    throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: say('request.invalidJson', undefined, event) })
  })
  return parseWith(event, schema, body)
}

export function paramsWith<S extends z.ZodType>(event: H3Event, schema: S): z.infer<S> {
  return parseWith(event, schema, getRouterParams(event, { decode: true }))
}

export function queryWith<S extends z.ZodType>(event: H3Event, schema: S): z.infer<S> {
  return parseWith(event, schema, getQuery(event))
}
