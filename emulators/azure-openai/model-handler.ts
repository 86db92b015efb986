import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Authenticator } from './auth.ts'
import { chatFrames, chatJson } from './chat-completions.ts'
import { deliverJson, deliverStream, type Delivery } from './deliver.ts'
import * as errors from './errors.ts'
import { azureHeaders, readBody, sendJson } from './http-util.ts'
import { buildPlan } from './plan.ts'
import { groundedReply } from './grounded.ts'
import { summarizePrompt } from './prompt.ts'
import type { RequestLog } from './recorder.ts'
import { responsesFrames, responsesJson } from './responses.ts'
import type { Route } from './routes.ts'
import { parseTriggers } from './triggers.ts'
import type { EmulatedDeployment, RecordedRequest } from './types.ts'

// Sampling parameters reasoning models refuse, in the order Azure reports the first one found.
const SAMPLING_PARAMETERS = ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty']

export interface ModelContext {
  deployments: Map<string, EmulatedDeployment>
  authenticate: Authenticator
  chunkDelayMs: number
  log: RequestLog
  // Exact message texts that [[emulator:429-once]] has already refused once.
  rateLimitedOnce: Set<string>
}

type ModelRoute = Extract<Route, { kind: 'model' }>
type Json = Record<string, unknown>

function parseJson(raw: string): Json | null {
  try {
    const value: unknown = JSON.parse(raw)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null
  }
  catch {
    return null
  }
}

// Tracks the connection so that `aborted` means "the client left before the answer ended",
// which is what the app's stop button and navigation must produce.
function track(record: RecordedRequest, res: ServerResponse) {
  const abort = new AbortController()
  let droppedByServer = false
  const settle = () => {
    record.endedAt ??= Date.now()
    record.status = res.headersSent ? res.statusCode : null
  }
  res.on('finish', settle)
  res.on('close', () => {
    settle()
    if (!res.writableFinished && !droppedByServer) record.aborted = true
    abort.abort()
  })
  // Writes racing a client disconnect must not crash the emulator.
  res.on('error', () => {})
  return {
    signal: abort.signal,
    drop() {
      droppedByServer = true
      res.socket?.destroy()
    },
  }
}

export async function handleModelRequest(
  ctx: ModelContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: ModelRoute,
  url: URL,
): Promise<void> {
  const apiVersion = url.searchParams.get('api-version')
  const record = ctx.log.start(req.method ?? 'POST', url.pathname, apiVersion)
  record.api = route.api
  const connection = track(record, res)

  const body = parseJson(await readBody(req))
  const deployment = route.deployment ?? (typeof body?.model === 'string' ? body.model : null)
  const prompt = body ? summarizePrompt(route.api, body) : null
  record.deployment = deployment
  record.stream = body?.stream === true
  record.lastUserText = prompt?.lastUserText ?? null
  record.inputTexts = prompt?.texts ?? []
  const reasoning = body?.reasoning as { effort?: unknown, summary?: unknown } | undefined
  if (reasoning && typeof reasoning === 'object') {
    record.reasoning = {
      effort: typeof reasoning.effort === 'string' ? reasoning.effort : null,
      summary: typeof reasoning.summary === 'string' ? reasoning.summary : null,
    }
  }
  const target = deployment ? ctx.deployments.get(deployment) : undefined

  const headers = azureHeaders(deployment && ctx.deployments.has(deployment) ? deployment : null)
  const fail = (e: errors.AzureErrorResponse) => sendJson(res, e.status, e.body, { ...headers, ...e.headers })

  const auth = await ctx.authenticate(req.headers, target?.apiKey)
  record.auth = auth.kind
  if (!auth.ok) return fail(errors.unauthorized())
  if (route.needsApiVersion && !apiVersion) return fail(errors.resourceNotFound())
  if (!body || !prompt) return fail(errors.badRequest('We could not parse the JSON body of your request.'))
  if (!deployment) return fail(errors.badRequest('Missing required parameter: \'model\'.', 'model'))
  if (!target) return fail(errors.deploymentNotFound())
  if (target.reasoning) {
    const refused = SAMPLING_PARAMETERS.find(p => body[p] !== undefined && body[p] !== null)
    if (refused) return fail(errors.unsupportedParameter(refused))
  }

  const triggers = parseTriggers(prompt.lastUserText)
  if (triggers.unauthorized) return fail(errors.unauthorized())
  if (triggers.serverError) return fail(errors.internalError())
  if (triggers.rateLimit === 'always' || (triggers.rateLimit === 'once' && !ctx.rateLimitedOnce.has(prompt.lastUserText))) {
    ctx.rateLimitedOnce.add(prompt.lastUserText)
    const operation = route.api === 'responses' ? 'Responses_Create' : 'ChatCompletions_Create'
    return fail(errors.rateLimited(operation, apiVersion ?? 'v1'))
  }
  if (triggers.contentFilterPrompt) return fail(errors.contentFilterPrompt())

  const plan = buildPlan({
    userText: prompt.lastUserText,
    triggers,
    inputTokens: prompt.inputTokens,
    defaultDelayMs: ctx.chunkDelayMs,
    // With several deployments each answer names its own, so a test can tell who answered.
    deployment: ctx.deployments.size > 1 ? deployment : undefined,
    // The Responses API sends a summary only when one is asked for.
    reasoningSummary: target.reasoning && route.api === 'responses' && typeof record.reasoning?.summary === 'string',
    groundedReply: groundedReply(prompt.texts[0] ?? '', prompt.lastUserText),
  })
  const delivery: Delivery = { res, plan, headers, signal: connection.signal, drop: connection.drop }
  // A stream's status is visible while it runs (tests wait on it before aborting a hang).
  if (record.stream) record.status = 200
  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined
  if (route.api === 'chat.completions') {
    const chat = { deployment, plan, includeUsage: streamOptions?.include_usage === true }
    return record.stream ? deliverStream(delivery, chatFrames(chat)) : deliverJson(delivery, chatJson(chat))
  }
  return record.stream
    ? deliverStream(delivery, responsesFrames({ deployment, plan }))
    : deliverJson(delivery, responsesJson({ deployment, plan }))
}
