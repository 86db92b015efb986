import { createServer, type Server } from 'node:http'
import { createAuthenticator } from './auth.ts'
import { resourceNotFound } from './errors.ts'
import { azureHeaders, sendJson } from './http-util.ts'
import { handleModelRequest, type ModelContext } from './model-handler.ts'
import { createRequestLog } from './recorder.ts'
import { DEFAULT_EMBEDDING_DEPLOYMENTS, handleEmbeddingsRequest } from './embeddings.ts'
import { matchRoute } from './routes.ts'
import type { AzureOpenAIEmulatorOptions } from './types.ts'

export function createEmulatorServer(options: AzureOpenAIEmulatorOptions = {}): Server {
  const log = createRequestLog()
  const ctx: ModelContext & { embeddingDeployments: Set<string> } = {
    deployments: new Map((options.deployments ?? ['gpt-4o-mini']).map(d => (typeof d === 'string' ? [d, { name: d }] : [d.name, d]))),
    authenticate: createAuthenticator({ apiKey: options.apiKey ?? 'emulator-key', entra: options.entra }),
    chunkDelayMs: options.chunkDelayMs ?? 15,
    log,
    rateLimitedOnce: new Set(),
    embeddingDeployments: new Set(options.embeddingDeployments ?? DEFAULT_EMBEDDING_DEPLOYMENTS),
  }

  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid')
    const route = matchRoute(req.method ?? 'GET', url.pathname)
    if (route?.kind === 'control') {
      if (route.action === 'requests') return sendJson(res, 200, log.list())
      log.reset()
      ctx.rateLimitedOnce.clear()
      return sendJson(res, 200, { ok: true })
    }
    if (route?.kind === 'embeddings') {
      handleEmbeddingsRequest(ctx, req, res, route.deployment, route.needsApiVersion, url).catch(() => {
        if (!res.headersSent) res.destroy()
      })
      return
    }
    if (route?.kind === 'model') {
      handleModelRequest(ctx, req, res, route, url).catch(() => {
        // Only reachable when the client vanished mid-request; there is no one left to answer.
        if (!res.headersSent) res.destroy()
      })
      return
    }
    // Kept in the log so a misconfigured baseURL shows up in tests as a request to a wrong path.
    const entry = log.start(req.method ?? 'GET', url.pathname, url.searchParams.get('api-version'))
    const notFound = resourceNotFound()
    entry.status = notFound.status
    entry.endedAt = Date.now()
    sendJson(res, notFound.status, notFound.body, azureHeaders())
  })
}
