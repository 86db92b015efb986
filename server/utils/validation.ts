import type { H3Event } from 'h3'
import type { z } from 'zod'

function invalid(error: z.ZodError): never {
  const first = error.issues[0]!
  const field = first.path.join('.') || 'body'
  throw createError({
    statusCode: 400,
    statusMessage: 'Bad Request',
    message: `Invalid ${field}: ${first.message}`,
    data: { field, issues: error.issues.map(i => ({ field: i.path.join('.'), message: i.message })) },
  })
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value)
  if (!result.success) invalid(result.error)
  return result.data
}

const json = /^application\/([\w.+-]+\+)?json\s*(;|$)/i

/** Validated JSON body: 415 for another format, a 400 naming the first field that failed, never a 500. */
export async function readBodyWith<S extends z.ZodType>(event: H3Event, schema: S): Promise<z.infer<S>> {
  const type = getRequestHeader(event, 'content-type')
  const sent = type !== undefined || Number(getRequestHeader(event, 'content-length') || 0) > 0 || getRequestHeader(event, 'transfer-encoding') !== undefined
  if (sent && !json.test(type ?? '')) {
    throw createError({ statusCode: 415, statusMessage: 'Unsupported Media Type', message: 'Send the request body as JSON, with Content-Type: application/json.' })
  }
  const body = await readBody(event).catch(() => {
    throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: 'The request body must be valid JSON.' })
  })
  return parseWith(schema, body)
}

export function paramsWith<S extends z.ZodType>(event: H3Event, schema: S): z.infer<S> {
  return parseWith(schema, getRouterParams(event, { decode: true }))
}

export function queryWith<S extends z.ZodType>(event: H3Event, schema: S): z.infer<S> {
  return parseWith(schema, getQuery(event))
}
