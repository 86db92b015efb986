import type { IncomingMessage, ServerResponse } from 'node:http'
import type Provider from 'oidc-provider'
import type { Tenant } from './accounts.ts'
import { CONTROL_PREFIX, handleControl } from './controls.ts'
import { handleInteraction } from './interactions.ts'
import { FAVICON_PATHS, serveFavicon } from './favicon.ts'
import { DISCOVERY_PATH, INTERACTION_PREFIX, PROVIDER_DISCOVERY_PATH, routes } from './routes.ts'
import { GRAPH_PREFIX } from './graph.ts'
import { challengePolicyId } from './state.ts'
import type { EmulatorState } from './state.ts'
import type { TokenStore } from './store.ts'

export interface TenantRuntime {
  tenant: Tenant
  provider: Provider
  store: TokenStore
  callback: (req: IncomingMessage, res: ServerResponse) => void
}

type ExpressLikeRequest = IncomingMessage & { originalUrl?: string }

/**
 * Hands `/{tenantId}/...` to that tenant's provider as if it were mounted there. oidc-provider
 * derives its endpoint URLs from `originalUrl` minus `url`, so the prefix it is given becomes
 * the base of every endpoint in discovery.
 */
function mount(req: ExpressLikeRequest, mountPath: string, path: string, search: string): void {
  req.url = path + search
  req.originalUrl = mountPath + path + search
}

function notFound(res: ServerResponse, tenantSegment: string): void {
  res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify({
    error: 'invalid_tenant',
    error_description: `AADSTS90002: Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    error_codes: [90002],
  }))
}

/** Entra's multi-tenant authorities; here they lead to the tenant the app is registered in. */
const MULTI_TENANT_SEGMENTS = new Set(['common', 'organizations'])

/** An authorize request carrying a `claims` challenge is the step-up: it satisfies that challenge. */
function satisfyClaimsChallenge(search: string, state: EmulatorState): void {
  const claims = new URLSearchParams(search).get('claims')
  if (!claims) return
  try {
    const values: unknown = JSON.parse(claims)?.access_token?.capolids?.values
    for (const oid of [...state.claimsChallenges]) {
      if (Array.isArray(values) && values.includes(challengePolicyId(oid))) state.claimsChallenges.delete(oid)
    }
  }
  catch {
    // Not JSON: oidc-provider ignores it, and so do we.
  }
}

export function createRequestHandler(runtimes: Map<string, TenantRuntime>, state: EmulatorState, graph: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  const stores = [...runtimes.values()].map(runtime => runtime.store)
  const defaultRuntime = [...runtimes.values()].find(runtime => runtime.tenant.isDefault)

  return async (req: ExpressLikeRequest, res: ServerResponse): Promise<void> => {
    const { pathname, search } = new URL(req.url ?? '/', 'http://emulator')
    if (pathname.startsWith(CONTROL_PREFIX)) return handleControl(req, res, state, stores)
    if (FAVICON_PATHS.has(pathname)) return serveFavicon(res)
    if (state.outage) {
      req.socket.destroy()
      return
    }
    if (pathname.startsWith(GRAPH_PREFIX)) {
      await graph(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
        res.end(`Graph stand-in error: ${error instanceof Error ? error.message : String(error)}`)
      })
      return
    }
    const [, tenantSegment = '', ...rest] = pathname.split('/')
    const runtime = runtimes.get(tenantSegment) ?? (MULTI_TENANT_SEGMENTS.has(tenantSegment) ? defaultRuntime : undefined)
    if (!runtime) return notFound(res, tenantSegment)
    const path = `/${rest.join('/')}`
    const mountPath = `/${tenantSegment}`
    if (path.startsWith(INTERACTION_PREFIX)) {
      await handleInteraction(req, res, { ...runtime, state }).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
        res.end(`Entra emulator error: ${error instanceof Error ? error.message : String(error)}`)
      })
      return
    }
    if (path === routes.authorization) satisfyClaimsChallenge(search, state)
    mount(req, mountPath, path === DISCOVERY_PATH ? PROVIDER_DISCOVERY_PATH : path, search)
    runtime.callback(req, res)
  }
}
