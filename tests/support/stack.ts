import { accounts, tenants, startEntraEmulator, type EntraEmulator } from '../../emulators/entra/index.ts'
import type { JWK } from 'jose'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startAzureOpenAIEmulator, type AzureOpenAIEmulator, type AzureOpenAIEmulatorOptions } from '../../emulators/azure-openai/index.ts'
import { createTestDatabase, type TestDatabase } from './database'
import { freePorts, startAppServer, type AppServer } from './app-server'
import { HttpClient, parseAccountPicker } from './http-client'

export { accounts, tenants }

export const CLIENT_ID = '0a1b2c3d-0000-4000-8000-00000000a11c'
export const CLIENT_SECRET = 'test-client-secret-for-the-emulator'
export const OPENAI_KEY = 'test-openai-key'

export interface Stack {
  app: AppServer
  entra: EntraEmulator
  openai: AzureOpenAIEmulator
  db: TestDatabase
  env: Record<string, string>
  /**
   * Another server process on the same emulators. On PostgreSQL it shares the database; PGlite
   * belongs to one process, so it gets a folder of its own unless it takes over the folder of a
   * server that has exited (`sameDatabaseAs`).
   */
  startApp(env?: Record<string, string>, options?: { sameDatabaseAs?: AppServer }): Promise<AppServer>
  /**
   * Stops the first app server, runs `work`, and starts it again with the same settings on the
   * same port (`app` is then the new process). PGlite belongs to one process, so a test that
   * writes to it directly does so while its server is down.
   */
  whileAppStopped<T>(work: () => Promise<T>): Promise<T>
  stop(): Promise<void>
}

export interface StackOptions {
  env?: Record<string, string>
  accessTokenTtlSeconds?: number
  db?: TestDatabase
  /** How many app servers this stack may start (each port is registered as a redirect URI). */
  servers?: number
  signingKey?: JWK
  /** Extra Azure OpenAI emulator options, given the Entra emulator (e.g. to verify its tokens). */
  openai?: (entra: EntraEmulator) => Partial<AzureOpenAIEmulatorOptions>
  /** How a server is started: the built server as a process (default), or e.g. the image. */
  startServer?: typeof startAppServer
  /** The one origin every server is reached at (a proxy in front of them), as AUTH_ORIGIN. */
  origin?: string
}

/** The whole product for one test file: both emulators, its own database, the built server. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const ports = await freePorts(options.servers ?? 1)
  const origins = options.origin ? [options.origin] : ports.map(p => `http://127.0.0.1:${p}`)
  const entra = await startEntraEmulator({
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    signingKey: options.signingKey,
    clients: [{
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: origins.map(o => `${o}/api/auth/callback/azure-ad`),
      postLogoutRedirectUris: origins.map(o => `${o}/signed-out`),
    }],
  })
  const openai = await startAzureOpenAIEmulator({ apiKey: OPENAI_KEY, deployments: ['gpt-4o-mini'], chunkDelayMs: 5, ...options.openai?.(entra) })
  const db = options.db ?? await createTestDatabase()
  const env = {
    ...db.env,
    AZURE_AD_CLIENT_ID: CLIENT_ID,
    AZURE_AD_CLIENT_SECRET: CLIENT_SECRET,
    AZURE_AD_TENANT_ID: tenants.contoso.id,
    AZURE_AD_AUTHORITY_HOST: entra.authorityHost,
    AZURE_OPENAI_ENDPOINT: openai.url,
    AZURE_OPENAI_API_KEY: OPENAI_KEY,
    AZURE_OPENAI_DEPLOYMENT: 'gpt-4o-mini',
    ...(options.origin ? { AUTH_ORIGIN: options.origin } : {}),
    ...options.env,
  }
  const apps: AppServer[] = []
  const startApp = async (extra: Record<string, string> = {}, port?: number) => {
    const app = await (options.startServer ?? startAppServer)({ ...env, ...extra }, { wait: '/api/ready', port })
    apps.push(app)
    return app
  }
  const app = await startApp({}, ports[0])
  const stack: Stack = {
    app,
    entra,
    openai,
    db,
    env,
    startApp: (extra = {}, { sameDatabaseAs } = {}) => {
      const own: Record<string, string> = db.kind === 'pglite'
        ? { PGLITE_DATA_DIR: sameDatabaseAs?.env.PGLITE_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'assistant-pglite-')) }
        : {}
      return startApp({ ...own, ...extra }, ports[apps.length])
    },
    async whileAppStopped(work) {
      const first = stack.app
      const code = await first.stop()
      if (code !== 0) throw new Error(`The app server exited with ${code} when stopped:\n${first.output()}`)
      try {
        return await work()
      }
      finally {
        const again = await startAppServer({ ...env, ...first.env }, { wait: '/api/ready', port: first.port })
        apps.splice(apps.indexOf(first), 1, again)
        stack.app = again
      }
    },
    async stop() {
      await Promise.all(apps.map(a => a.stop()))
      await Promise.all([entra.close(), openai.close()])
      if (!options.db) await db.drop()
    },
  }
  return stack
}

/**
 * Signs in through the real redirect chain: the app's page -> Entra emulator's account picker ->
 * the app's callback. Returns the client holding the session cookie.
 */
export async function signIn(app: { url: string }, account: { oid: string }, client = new HttpClient()) {
  const start = await client.follow(`${app.url}/`)
  const picker = parseAccountPicker(await start.response.text())
  if (!picker) throw new Error(`Expected the account picker, got ${start.response.status} at ${start.url}`)
  const back = await client.follow(new URL(picker.action, start.url).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ account: account.oid }),
  })
  return { client, start, back }
}

/** A JSON API call with the client's cookies. */
export async function api(client: HttpClient, url: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers)
  let body = init.body
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json')
    body = JSON.stringify(init.json)
  }
  const response = await client.fetch(url, { ...init, headers, body })
  const text = await response.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  }
  catch {
    json = undefined
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read responses loosely
  return { status: response.status, headers: response.headers, json: json as Record<string, any>, text }
}

/** Calls one of the Entra emulator's test controls. */
export async function entraControl(entra: EntraEmulator, path: string, body: unknown = {}) {
  const response = await fetch(`${entra.authorityHost}/_emulator/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (!response.ok) throw new Error(`emulator control ${path} answered ${response.status}`)
  return response.json()
}

export async function refreshCount(entra: EntraEmulator): Promise<number> {
  const stats = await fetch(`${entra.authorityHost}/_emulator/stats`).then(r => r.json()) as { tokenRequests: { refresh_token: number } }
  return stats.tokenRequests.refresh_token
}
