import type { IncomingMessage, ServerResponse } from 'node:http'
import * as errors from './errors.ts'
import { hashedEmbedding } from './hashed-embedding.ts'
import { azureHeaders, readBody, sendJson } from './http-util.ts'
import type { ModelContext } from './model-handler.ts'
import { parseTriggers } from './triggers.ts'

/** The embedding deployments the emulator knows unless told otherwise (the app's default). */
export const DEFAULT_EMBEDDING_DEPLOYMENTS = ['text-embedding-3-small']

/**
 * `POST …/embeddings` as Azure answers it: `{ object: 'list', data: [{ object: 'embedding',
 * index, embedding }], model, usage }`, with hashed word n-gram vectors (hashed-embedding.ts) so
 * that search over them behaves like search over real embeddings, offline. `[[emulator:429]]` or
 * `[[emulator:429-once]]` in any input refuses the call as Azure's rate limit does.
 */
export async function handleEmbeddingsRequest(ctx: ModelContext & { embeddingDeployments: Set<string> }, req: IncomingMessage, res: ServerResponse, routeDeployment: string | null, needsApiVersion: boolean, url: URL): Promise<void> {
  const apiVersion = url.searchParams.get('api-version')
  const record = ctx.log.start(req.method ?? 'POST', url.pathname, apiVersion)
  const finish = (status: number, body: unknown, headers: Record<string, string>) => {
    record.status = status
    record.endedAt = Date.now()
    sendJson(res, status, body, headers)
  }
  const raw = await readBody(req)
  const body = ((): { input?: unknown, model?: unknown, dimensions?: unknown } | null => {
    try {
      const value: unknown = JSON.parse(raw)
      return value && typeof value === 'object' && !Array.isArray(value) ? value : null
    }
    catch {
      return null
    }
  })()
  const deployment = routeDeployment ?? (typeof body?.model === 'string' ? body.model : null)
  record.deployment = deployment
  const headers = azureHeaders(deployment)
  const fail = (e: errors.AzureErrorResponse) => finish(e.status, e.body, { ...headers, ...e.headers })

  const auth = await ctx.authenticate(req.headers)
  record.auth = auth.kind
  if (!auth.ok) return fail(errors.unauthorized())
  if (needsApiVersion && !apiVersion) return fail(errors.resourceNotFound())
  if (!body) return fail(errors.badRequest('We could not parse the JSON body of your request.'))
  if (!deployment) return fail(errors.badRequest('Missing required parameter: \'model\'.', 'model'))
  if (!ctx.embeddingDeployments.has(deployment)) return fail(errors.deploymentNotFound())
  const inputs = typeof body.input === 'string' ? [body.input] : body.input
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every(i => typeof i === 'string')) {
    return fail(errors.badRequest('\'input\' must be a string or a non-empty array of strings.', 'input'))
  }
  if (inputs.length > 2048) return fail(errors.badRequest('Too many inputs. The max number of inputs is 2048.', 'input'))
  record.inputTexts = inputs as string[]
  const joined = (inputs as string[]).join('\n')
  const triggers = parseTriggers(joined)
  if (triggers.serverError) return fail(errors.internalError())
  if (triggers.rateLimit === 'always' || (triggers.rateLimit === 'once' && !ctx.rateLimitedOnce.has(joined))) {
    ctx.rateLimitedOnce.add(joined)
    return fail(errors.rateLimited('Embeddings_Create', apiVersion ?? 'v1'))
  }
  // [[emulator:delay=N]]: a slow embedding call, e.g. to stop the app in the middle of one.
  if (triggers.delayMs) await new Promise(resolve => setTimeout(resolve, triggers.delayMs!))
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : undefined
  const tokens = (inputs as string[]).reduce((sum, text) => sum + Math.ceil(text.length / 4), 0)
  finish(200, {
    object: 'list',
    data: (inputs as string[]).map((text, index) => ({ object: 'embedding', index, embedding: hashedEmbedding(text, dimensions) })),
    model: deployment,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  }, headers)
}
