import { spawn, type ChildProcess } from 'node:child_process'
import { freePorts } from './ports.ts'
import { join } from 'node:path'
import { inject } from 'vitest'
import { mkdirSync, writeFileSync } from 'node:fs'

const root = join(import.meta.dirname, '../..')

export interface AppServer {
  url: string
  /** The settings it was started with (to restart it on the same database). */
  env: Record<string, string>
  port: number
  process: ChildProcess
  /** Everything the server printed, for assertions about logs. */
  output(): string
  /** Resolves when the process has exited, with its exit code. */
  exited: Promise<number | null>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

export { freePorts }

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!
}

/** This run's snapshot of the production build (see global-setup.ts); .output outside vitest. */
export function serverEntry(): string {
  let dir: string | undefined
  try {
    dir = inject('outputDir')
  }
  catch {
    dir = undefined
  }
  return join(dir ?? join(root, '.output'), 'server/index.mjs')
}

/** Every server's output is kept for the run, so CI can grep all of it for leaked secrets. */
export const logDir = join(root, '.cache/test-logs')

export function keepLog(port: number, output: string) {
  mkdirSync(logDir, { recursive: true })
  writeFileSync(join(logDir, `${process.pid}-${port}-${Date.now()}.log`), output)
}

/** Runs the built server until it exits by itself (a refused start-up), returning its output. */
export async function runUntilExit(env: Record<string, string | undefined>): Promise<{ code: number | null, output: string }> {
  const child = spawn(process.execPath, [serverEntry()], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', PORT: String(await freePort()), HOST: '127.0.0.1', ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => {
    output += chunk
  })
  child.stderr!.on('data', (chunk) => {
    output += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
  clearTimeout(timer)
  keepLog(0, output)
  return { code, output }
}

/** The environment every test server shares: test mode, a fixed secret, quiet logs. */
export const baseTestEnv = {
  NODE_ENV: 'production',
  APP_ENV: 'test',
  NUXT_AUTH_SECRET: 'test-secret-that-is-long-enough-0123456789',
}

/**
 * Starts the built server (.output) the way the Dockerfile does, and waits until it answers
 * `wait` (default /api/health).
 */
export async function startAppServer(env: Record<string, string>, options: { wait?: string, port?: number } = {}): Promise<AppServer> {
  const port = options.port ?? await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, [serverEntry()], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...baseTestEnv, AUTH_ORIGIN: url, ...env, PORT: String(port), HOST: '127.0.0.1' } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => {
    output += chunk
  })
  child.stderr!.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<number | null>(resolve => child.on('exit', (code) => {
    keepLog(port, output)
    resolve(code)
  }))
  const server: AppServer = {
    url,
    env,
    port,
    process: child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
  const wait = options.wait ?? '/api/health'
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Server exited with ${child.exitCode}:\n${output}`)
    const ok = await fetch(url + wait).then(r => r.ok, () => false)
    if (ok) return server
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  await server.stop('SIGKILL')
  throw new Error(`Server did not answer ${wait} within 60 s:\n${output}`)
}
