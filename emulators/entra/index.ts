import { createServer as createHttpServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { RequestListener, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { accounts, allTenants, groups, tenants } from './accounts.ts'
import { createSigningKey } from './keys.ts'
import type { JWK } from 'jose'
import { createTenantProvider } from './provider.ts'
import type { ClientRegistration } from './provider.ts'
import { createRequestHandler } from './server.ts'
import type { TenantRuntime } from './server.ts'
import { createState } from './state.ts'
import { createGraphHandler } from './graph.ts'
import { TokenStore } from './store.ts'

const GRAPH_RESOURCE = 'https://graph.microsoft.com'

export { accounts, groups, tenants }
export { defaultClient } from './defaults.ts'
export { createSigningKey } from './keys.ts'
export type { Account, Tenant } from './accounts.ts'
export type { ClientRegistration } from './provider.ts'

export interface EntraEmulatorOptions {
  /** 0 or unset: a random free port. */
  port?: number
  /** Default '127.0.0.1'. */
  host?: string
  /** When set, serve https (MSAL and so @azure/identity refuse http authorities). */
  tls?: { key: string, cert: string }
  /** Default 3600. */
  accessTokenTtlSeconds?: number
  clients: ClientRegistration[]
  /** Tests that must forge tokens signed by the trusted key pass their own (see createSigningKey). */
  signingKey?: JWK
}

export interface EntraEmulator {
  /** E.g. 'http://127.0.0.1:43121', no trailing slash: the app's AZURE_AD_AUTHORITY_HOST. */
  authorityHost: string
  close(): Promise<void>
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

export async function startEntraEmulator(options: EntraEmulatorOptions): Promise<EntraEmulator> {
  if (!options.clients?.length) throw new TypeError('startEntraEmulator needs at least one client')
  const host = options.host ?? '127.0.0.1'
  const state = createState(options.accessTokenTtlSeconds ?? 3600)
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }) : createHttpServer()
  // The issuer needs the port, so the providers exist only after listening; until then, 503.
  const ready: { handle?: RequestListener } = {}
  server.on('request', (req, res) => ready.handle ? ready.handle(req, res) : res.writeHead(503).end())
  const [signingKey, port] = await Promise.all([options.signingKey ?? createSigningKey(), listen(server, options.port ?? 0, host)])
  const authorityHost = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`

  // Graph tokens name the real Graph as audience, or this host when the app's MICROSOFT_GRAPH_URL is it.
  const graphResources = [authorityHost, GRAPH_RESOURCE]
  const runtimes = new Map<string, TenantRuntime>()
  for (const tenant of allTenants) {
    const store = new TokenStore()
    const provider = createTenantProvider({
      issuer: `${authorityHost}/${tenant.id}/v2.0`,
      tenant,
      clients: options.clients,
      signingKey,
      state,
      store,
      graphResources,
    })
    runtimes.set(tenant.id, { tenant, provider, store, callback: provider.callback() })
  }
  const graph = createGraphHandler({
    state,
    signingKey,
    resources: graphResources,
    issuers: allTenants.map(tenant => `${authorityHost}/${tenant.id}/v2.0`),
    host: authorityHost,
  })
  ready.handle = createRequestHandler(runtimes, state, graph)

  return {
    authorityHost,
    close: () => new Promise<void>((resolve, reject) => {
      server.close(error => error ? reject(error) : resolve())
      server.closeAllConnections()
    }),
  }
}
