// The processes a bench run needs: the built app server, the Azure OpenAI emulator (a child
// process of its own, so its CPU and memory are never counted as the app's), the Entra ID
// emulator (in this process; it only serves sign-in), and a database of the run's own.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { freePorts } from '../../tests/support/ports.ts'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { accounts, tenants, startEntraEmulator, type EntraEmulator } from '../../emulators/entra/index.ts'
import { HttpClient, parseAccountPicker } from '../../tests/support/http-client.ts'

export const root = join(import.meta.dirname, '../..')
export { accounts, tenants, HttpClient }

export const CLIENT_ID = '0a1b2c3d-0000-4000-8000-00000000a11c'
export const CLIENT_SECRET = 'bench-client-secret-for-the-emulator'
export const OPENAI_KEY = 'bench-openai-key'
export const DEPLOYMENT = 'gpt-4o-mini'
export const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test'

export { freePorts }

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]
  if (!kb) throw new Error(`No VmRSS for process ${pid}`)
  return Number(kb) * 1024
}

/** The memory lines of /proc/<pid>/status (VmRSS, RssAnon, RssFile, VmHWM), in bytes. */
export function memoryOf(pid: number): Record<string, number> {
  const out: Record<string, number> = {}
  for (const m of readFileSync(`/proc/${pid}/status`, 'utf8').matchAll(/^(VmRSS|VmHWM|RssAnon|RssFile|RssShmem):\s+(\d+)\s+kB/gm)) out[m[1]!] = Number(m[2]) * 1024
  return out
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15 (1-based) of the whole line, 12 and 13 after "(comm) ".
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/**
 * A private copy of the production build. .output is shared with the other engineers' test runs,
 * which rebuild it when sources change; a server whose lazily loaded chunks vanish mid-run would
 * fail. The copy is taken under the same build lock tests/support/global-setup.ts uses, so it is
 * never a half-written build.
 */
export function snapshotBuild(): string {
  const lock = join(root, '.cache/build.lock')
  const dest = join(root, `.cache/bench-output-${process.pid}`)
  mkdirSync(join(root, '.cache'), { recursive: true })
  for (;;) {
    try {
      mkdirSync(lock)
      writeFileSync(join(lock, 'pid'), String(process.pid))
      break
    }
    catch {
      let alive = false
      try {
        process.kill(Number(readFileSync(join(lock, 'pid'), 'utf8')), 0)
        alive = true
      }
      catch {
        // no holder, or a holder that died: take the lock over
      }
      if (!alive) rmSync(lock, { recursive: true, force: true })
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500)
    }
  }
  try {
    if (!existsSync(join(root, '.output/nitro.json'))) throw new Error('No complete build in .output (nitro.json missing)')
    rmSync(dest, { recursive: true, force: true })
    cpSync(join(root, '.output'), dest, { recursive: true, verbatimSymlinks: true })
  }
  finally {
    rmSync(lock, { recursive: true, force: true })
  }
  return dest
}

/** A child process whose output is drained (a full pipe would stall it) and kept only as a tail. */
interface Drained { tail: () => string, lines: () => number }

function drain(child: ChildProcess, keep = 400): Drained {
  const tail: string[] = []
  let count = 0
  const take = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue
      count++
      tail.push(line)
      if (tail.length > keep) tail.shift()
    }
  }
  child.stdout?.on('data', take)
  child.stderr?.on('data', take)
  return { tail: () => tail.join('\n'), lines: () => count }
}

function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<unknown> {
  if (child.exitCode !== null || child.signalCode !== null) return exited
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  return exited.finally(() => clearTimeout(timer))
}

export interface AppServer {
  url: string
  pid: number
  rss(): number
  memory(): Record<string, number>
  cpuMs(): number
  output(): string
  /** How many log lines the server printed (one per API request in production). */
  logLines(): number
  stop(): Promise<unknown>
}

/** The NODE_OPTIONS the production image runs the server with (its Dockerfile's ENV line). */
export function imageNodeOptions(): string {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8')
  return dockerfile.match(/^ENV\b.*\bNODE_OPTIONS=(\S+|"[^"]*")/m)?.[1]?.replace(/^"|"$/g, '') ?? ''
}

/** What the app and the peer both run with: production, and the image's V8 flags (measured as deployed). */
function deployedProcessEnv() {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', NODE_OPTIONS: imageNodeOptions() }
}

/**
 * Starts the built server the way tests/support/app-server.ts does (same environment shape,
 * `node .output/server/index.mjs`), waiting until `wait` answers. `nodeArgs` lets a run profile
 * it (BENCH_CPU_PROF=1 adds --cpu-prof).
 */
export async function startApp(env: Record<string, string>, options: { port: number, wait?: string, nodeArgs?: string[], output?: string }): Promise<AppServer> {
  const url = `http://127.0.0.1:${options.port}`
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(options.output ?? join(root, '.output'), 'server/index.mjs')], {
    cwd: root,
    env: {
      ...deployedProcessEnv(),
      APP_ENV: 'test',
      NUXT_AUTH_SECRET: 'bench-secret-that-is-long-enough-0123456789',
      AUTH_ORIGIN: url,
      ...env,
      PORT: String(options.port),
      HOST: '127.0.0.1',
    } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out = drain(child)
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  const server: AppServer = {
    url,
    pid: child.pid!,
    rss: () => rssOf(child.pid!),
    memory: () => memoryOf(child.pid!),
    cpuMs: () => cpuMsOf(child.pid!),
    output: out.tail,
    logLines: out.lines,
    // The app drains open answers on SIGTERM and exits 0 (so a --cpu-prof profile is written).
    stop: () => stopChild(child, exited, 40_000),
  }
  const wait = options.wait ?? '/api/ready'
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Server exited with ${child.exitCode}:\n${out.tail()}`)
    if (await fetch(url + wait).then(r => r.ok, () => false)) return server
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  await server.stop()
  throw new Error(`Server did not answer ${wait} within 90 s:\n${out.tail()}`)
}

export interface OpenAIEmulatorProcess { url: string, pid: number, stop(): Promise<unknown> }

/** The Azure OpenAI emulator's own CLI in a child process; prints its URL on the first line. */
export async function startOpenAIEmulator(options: { chunkDelayMs: number }): Promise<OpenAIEmulatorProcess> {
  const child = spawn(process.execPath, [join(root, 'emulators/azure-openai/cli.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AZURE_OPENAI_EMULATOR_PORT: '0',
      AZURE_OPENAI_EMULATOR_HOST: '127.0.0.1',
      AZURE_OPENAI_EMULATOR_DEPLOYMENTS: DEPLOYMENT,
      AZURE_OPENAI_EMULATOR_API_KEY: OPENAI_KEY,
      AZURE_OPENAI_EMULATOR_CHUNK_DELAY_MS: String(options.chunkDelayMs),
    } as Record<string, string | undefined> as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(() => reject(new Error(`The Azure OpenAI emulator printed no URL:\n${buffer}`)), 30_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8')
      const match = /http:\/\/\S+/.exec(buffer)
      if (match) {
        clearTimeout(timer)
        resolve(match[0])
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8')
    })
    child.once('exit', code => reject(new Error(`The Azure OpenAI emulator exited with ${code}:\n${buffer}`)))
  })
  drain(child, 50)
  return { url, pid: child.pid!, stop: () => stopChild(child, exited, 5_000) }
}

export interface PeerServer { url: string, pid: number, rss(): number, memory(): Record<string, number>, cpuMs(): number, output(): string, stop(): Promise<unknown> }

/**
 * The peer baseline (bench/peer-server.ts): a bare node:http server with the AI SDK against the
 * same emulator, run with the same node and NODE_OPTIONS as the app; prints its URL when listening.
 */
export async function startPeer(env: Record<string, string>, options: { nodeArgs?: string[] } = {}): Promise<PeerServer> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(root, 'bench/peer-server.ts')], {
    cwd: root,
    env: {
      ...deployedProcessEnv(),
      PEER_PORT: '0',
      PEER_HOST: '127.0.0.1',
      ...env,
    } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(() => reject(new Error(`The peer server printed no URL:\n${buffer}`)), 30_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8')
      const match = /peer listening on (http:\/\/\S+)/.exec(buffer)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8')
    })
    child.once('exit', code => reject(new Error(`The peer server exited with ${code}:\n${buffer}`)))
  })
  const out = drain(child, 50)
  return {
    url,
    pid: child.pid!,
    rss: () => rssOf(child.pid!),
    memory: () => memoryOf(child.pid!),
    cpuMs: () => cpuMsOf(child.pid!),
    output: out.tail,
    stop: () => stopChild(child, exited, 5_000),
  }
}

export async function startEntra(origins: string[]): Promise<EntraEmulator> {
  return startEntraEmulator({
    clients: [{
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: origins.map(o => `${o}/api/auth/callback/azure-ad`),
      postLogoutRedirectUris: origins.map(o => `${o}/signed-out`),
    }],
  })
}

export interface BenchDatabase {
  kind: 'postgres' | 'pglite'
  /** Settings that point the app at it. */
  env: Record<string, string>
  /** PostgreSQL only: a direct connection string (PGlite is owned by the server process). */
  url?: string
  name: string
  drop(): Promise<void>
}

/** A fresh database on the server of `base`, named `<prefix>_<time>_<random>`. */
export async function createPostgresDatabase(base: string, prefix = 'bench'): Promise<BenchDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const admin = postgres(base, { max: 1, onnotice: () => {}, connect_timeout: 5 })
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`)
  }
  finally {
    await admin.end()
  }
  const url = new URL(base)
  url.pathname = `/${name}`
  return {
    kind: 'postgres',
    name,
    url: url.toString(),
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      const client = postgres(base, { max: 1, onnotice: () => {} })
      try {
        await client.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      }
      finally {
        await client.end()
      }
    },
  }
}

export function createPgliteDatabase(): BenchDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'assistant-bench-pglite-'))
  return { kind: 'pglite', name: dir, env: { PGLITE_DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) }
}

/** Applies the app's drizzle-kit migrations to a PostgreSQL database the app server does not own. */
export async function applyMigrationsTo(url: string): Promise<void> {
  const journal = JSON.parse(readFileSync(join(root, 'drizzle/meta/_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> }
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    for (const entry of journal.entries) {
      const text = readFileSync(join(root, `drizzle/${entry.tag}.sql`), 'utf8')
      const statements = text.split('--> statement-breakpoint').map(s => s.trim()).filter(Boolean)
      await sql.begin(async (tx) => {
        for (const statement of statements) await tx.unsafe(statement)
      })
    }
  }
  finally {
    await sql.end()
  }
}

/**
 * Signs in through the real redirect chain (app page -> Entra emulator's account picker -> the
 * app's callback), like tests/support/stack.ts; returns the client holding the session cookie.
 */
export async function signIn(appUrl: string, account: { oid: string }): Promise<HttpClient> {
  const client = new HttpClient()
  const start = await client.follow(`${appUrl}/`)
  const picker = parseAccountPicker(await start.response.text())
  if (!picker) throw new Error(`Expected the account picker, got ${start.response.status} at ${start.url}`)
  const back = await client.follow(new URL(picker.action, start.url).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ account: account.oid }),
  })
  if (!back.url.startsWith(appUrl)) throw new Error(`Sign-in ended at ${back.url}`)
  await back.response.arrayBuffer()
  return client
}

/** The Cookie header the client sends to the app. */
export function cookieHeader(client: HttpClient, url: string): string {
  return [...client.cookies(url)].map(([k, v]) => `${k}=${v}`).join('; ')
}
