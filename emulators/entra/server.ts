import type { IncomingMessage, ServerResponse } from 'node:http'
import type Provider from 'oidc-provider'
import type { Tenant } from './accounts.ts'
import { CONTROL_PREFIX, handleControl } from './controls.ts'
import { handleInteraction } from './interactions.ts'
import { DISCOVERY_PATH, INTERACTION_PREFIX, PROVIDER_DISCOVERY_PATH } from './routes.ts'
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

export function createRequestHandler(runtimes: Map<string, TenantRuntime>, state: EmulatorState) {
  const stores = [...runtimes.values()].map(runtime => runtime.store)

  return async (req: ExpressLikeRequest, res: ServerResponse): Promise<void> => {
    const { pathname, search } = new URL(req.url ?? '/', 'http://emulator')
    if (pathname.startsWith(CONTROL_PREFIX)) return handleControl(req, res, state, stores)
    if (state.outage) {
      req.socket.destroy()
      return
    }
    const [, tenantSegment = '', ...rest] = pathname.split('/')
    const runtime = runtimes.get(tenantSegment)
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
    mount(req, mountPath, path === DISCOVERY_PATH ? PROVIDER_DISCOVERY_PATH : path, search)
    runtime.callback(req, res)
  }
}
