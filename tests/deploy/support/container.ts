import { execFileSync, spawn } from 'node:child_process'
import { baseTestEnv, freePort, keepLog, type AppServer } from '../../support/app-server'
import { processEnv, repoRoot } from './dockerfile'

/** The image the tests build from this working tree (scripts/container-engine.sh build: the same tag). */
export const IMAGE = process.env.IMAGE || 'assistant:test'

/** The only writable paths the image gets, as in deploy/kubernetes (emptyDir volumes there). */
export const TMPFS_PATHS = ['/tmp']

/** How an operator runs the image: its user, nothing writable but the tmpfs, no capabilities. */
export const OPERATOR_FLAGS = [
  '--read-only',
  ...TMPFS_PATHS.flatMap(path => ['--tmpfs', path]),
  '--user', '10001:10001',
  '--cap-drop', 'ALL',
  '--security-opt', 'no-new-privileges',
  // PostgreSQL and the emulators listen on this machine's 127.0.0.1.
  '--network', 'host',
]

// The classic builder: Debian's docker.io has no buildx, and the Dockerfile needs no BuildKit.
const dockerEnv = () => processEnv({ ...process.env, DOCKER_BUILDKIT: '0' })

/** `docker …`, its output as text; throws with docker's own message when it fails. */
export function docker(args: string[], options: { timeout?: number } = {}): string {
  return execFileSync('docker', args, { encoding: 'utf8', env: dockerEnv(), timeout: options.timeout ?? 60_000, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] })
}

export function engineAnswers(): boolean {
  try {
    docker(['info', '--format', '{{.ServerVersion}}'], { timeout: 20_000 })
    return true
  }
  catch {
    return false
  }
}

/**
 * CONTAINER_TESTS=required (CI's PostgreSQL run): a missing engine is a failure. =skip: never run.
 * Unset: run when an engine answers, as on a workstation with Docker.
 */
export function containerTests(): { run: boolean, missingEngine: boolean } {
  const mode = process.env.CONTAINER_TESTS
  if (mode === 'skip') return { run: false, missingEngine: false }
  const answers = engineAnswers()
  return { run: answers, missingEngine: !answers && mode === 'required' }
}

/** Builds the image from the working tree; a second build of unchanged sources is all cache. */
export function buildImage(): { id: string, seconds: number } {
  const started = Date.now()
  const id = docker(['build', '--network', 'host', '-q', '-t', IMAGE, repoRoot], { timeout: 1_500_000 }).trim()
  return { id, seconds: (Date.now() - started) / 1000 }
}

export interface ImageFacts {
  sizeBytes: number
  user: string
  workdir: string
  cmd: string[]
  env: Record<string, string>
  exposedPorts: string[]
  healthcheck: { test: string[], intervalS: number, timeoutS: number, startPeriodS: number, retries: number }
  /** Each layer's size and the step that made it, newest first. */
  layers: Array<{ bytes: number, createdBy: string }>
}

export function imageFacts(image = IMAGE): ImageFacts {
  const [inspect] = JSON.parse(docker(['image', 'inspect', image])) as Array<{
    Size: number
    Config: { User: string, WorkingDir: string, Cmd: string[], Env: string[], ExposedPorts?: Record<string, unknown>, Healthcheck: { Test: string[], Interval: number, Timeout: number, StartPeriod: number, Retries: number } }
  }>
  const c = inspect!.Config
  const ns = 1e9
  const layers = docker(['history', '--no-trunc', '--format', '{{json .}}', image]).trim().split('\n')
    .map(line => JSON.parse(line) as { Size: string, CreatedBy: string })
    .map(l => ({ bytes: parseSize(l.Size), createdBy: l.CreatedBy }))
  return {
    sizeBytes: inspect!.Size,
    user: c.User,
    workdir: c.WorkingDir,
    cmd: c.Cmd,
    env: Object.fromEntries(c.Env.map(e => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
    exposedPorts: Object.keys(c.ExposedPorts ?? {}),
    healthcheck: { test: c.Healthcheck.Test, intervalS: c.Healthcheck.Interval / ns, timeoutS: c.Healthcheck.Timeout / ns, startPeriodS: c.Healthcheck.StartPeriod / ns, retries: c.Healthcheck.Retries },
    layers,
  }
}

/** docker history's human sizes (`12.3MB`, `0B`) in bytes. */
function parseSize(text: string): number {
  const match = /^([\d.]+)\s*([kMG]?B)$/.exec(text.trim())
  if (!match) return 0
  return Number(match[1]) * ({ B: 1, kB: 1e3, MB: 1e6, GB: 1e9 } as Record<string, number>)[match[2]!]!
}

/** Every file of the image with its size, from `docker export` of a container never started. */
export function imageFiles(image = IMAGE): Array<{ path: string, bytes: number, mode: string }> {
  const id = docker(['create', image]).trim()
  try {
    const listing = execFileSync('sh', ['-c', `docker export "$0" | tar -tvf -`, id], { encoding: 'utf8', env: dockerEnv(), maxBuffer: 256 * 1024 * 1024 })
    return listing.trim().split('\n').map((line) => {
      // -rw-r--r-- 0/0   1234 2026-01-01 00:00 path/to/file [-> target]
      const [mode = '', , size = '0', , , ...rest] = line.split(/\s+/)
      return { path: '/' + rest.join(' ').replace(/ -> .*$/, '').replace(/^\.?\//, ''), bytes: Number(size), mode }
    })
  }
  finally {
    docker(['rm', '-f', id])
  }
}

export interface Container extends AppServer {
  name: string
  /** From `docker run` to the first 2xx of the awaited path. */
  readyAfterMs: number
}

const started = new Set<string>()

/** The settings every container gets: test mode for the emulators' http:// addresses. */
function containerSettings(env: Record<string, string>, url: string) {
  return { APP_ENV: baseTestEnv.APP_ENV, NUXT_AUTH_SECRET: baseTestEnv.NUXT_AUTH_SECRET, AUTH_ORIGIN: url, ...env }
}

/**
 * `docker run` in the foreground: the client's output is the container's, its exit code the
 * container's. Values reach docker through its environment (`-e NAME`), never its command line.
 */
function runAttached(name: string, env: Record<string, string>, flags: string[], command: string[] = []) {
  const envFlags = Object.keys(env).flatMap(key => ['-e', key])
  const child = spawn('docker', ['run', '--name', name, ...flags, ...envFlags, IMAGE, ...command], {
    env: processEnv({ ...process.env, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  started.add(name)
  let output = ''
  child.stdout!.on('data', (chunk) => {
    output += chunk
  })
  child.stderr!.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<number | null>(resolve => child.on('exit', resolve))
  return { child, output: () => output, exited }
}

let sequence = 0
const containerName = (what: string) => `assistant-test-${what}-${process.pid}-${++sequence}`

/**
 * Starts the image as an operator would (OPERATOR_FLAGS) on `port` of this machine, and waits
 * until it answers `wait`. Has the shape of the built-server processes of tests/support, so the
 * stack (startStack's `startServer`) can run its servers as containers.
 */
export async function startContainer(env: Record<string, string>, options: { wait?: string, port?: number } = {}): Promise<Container> {
  const port = options.port ?? await freePort()
  const url = `http://127.0.0.1:${port}`
  const name = containerName('server')
  const at = Date.now()
  // HOST: only this machine's loopback, since the host network is shared.
  const run = runAttached(name, { ...containerSettings(env, url), PORT: String(port), HOST: '127.0.0.1' }, OPERATOR_FLAGS)
  const exited = run.exited.then((code) => {
    keepLog(port, run.output())
    return code
  })
  const container: Container = {
    name,
    url,
    env,
    port,
    process: run.child,
    output: run.output,
    exited,
    readyAfterMs: 0,
    async stop(signal = 'SIGTERM') {
      if (run.child.exitCode === null) {
        try {
          docker(['kill', '--signal', signal, name])
        }
        catch { /* exited meanwhile */ }
      }
      const code = await exited
      removeContainer(name)
      return code
    },
  }
  const wait = options.wait ?? '/api/health'
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null) throw new Error(`The container exited with ${run.child.exitCode}:\n${run.output()}`)
    if (await fetch(url + wait).then(r => r.ok, () => false)) {
      container.readyAfterMs = Date.now() - at
      return container
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  await container.stop('SIGKILL')
  throw new Error(`The container did not answer ${wait} within 60 s:\n${run.output()}`)
}

/** Runs the image until it exits by itself (a refused start-up, the migration Job). */
export async function runToExit(env: Record<string, string>, options: { command?: string[], timeoutMs?: number, settings?: 'test' | 'none' } = {}) {
  const name = containerName('run')
  const port = String(await freePort())
  const all = options.settings === 'none' ? env : { ...containerSettings(env, `http://127.0.0.1:${port}`), PORT: port, HOST: '127.0.0.1', ...env }
  const at = Date.now()
  const run = runAttached(name, all, OPERATOR_FLAGS, options.command)
  const timer = setTimeout(() => removeContainer(name), options.timeoutMs ?? 60_000)
  const code = await run.exited
  clearTimeout(timer)
  const ms = Date.now() - at
  keepLog(0, run.output())
  removeContainer(name)
  return { code, output: run.output(), ms }
}

/** The container's state as `docker inspect` reports it. */
export function containerState(name: string): { Status: string, Pid: number, ExitCode: number, StartedAt: string, Health?: { Status: string } } {
  return JSON.parse(docker(['inspect', '--format', '{{json .State}}', name]))
}

function removeContainer(name: string) {
  try {
    docker(['rm', '-f', name])
  }
  catch { /* already gone */ }
  started.delete(name)
}

/** Removes every container this test process started that is still there. */
export function removeContainers() {
  for (const name of [...started]) removeContainer(name)
}
