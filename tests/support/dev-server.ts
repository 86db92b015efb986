import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePorts } from './ports.ts'

const root = join(import.meta.dirname, '../..')
// What `nuxi dev` reads; tests, builds, caches and data stay behind.
const sources = ['app.config.ts', 'app.vue', 'assets', 'components', 'composables', 'drizzle', 'emulators', 'error.vue', 'i18n', 'layouts', 'middleware', 'modules', 'nuxt.config.ts', 'package.json', 'pages', 'plugins', 'public', 'scripts', 'server', 'shared', 'tsconfig.json', 'utils']

export interface DevServer {
  url: string
  entraUrl: string
  openaiUrl: string
  process: ChildProcess
  output(): string
  /** Ctrl-C in the terminal: SIGINT to the whole process group; resolves with the exit code. */
  interrupt(): Promise<number | null>
  stop(): Promise<void>
}

/**
 * `nuxi dev` as a newcomer's first run: a copy of the project with a fresh .nuxt and an empty
 * Vite cache (its node_modules links every installed package but not .cache), its own ports for
 * the app and both emulators, and its own PGlite folder.
 */
export async function startDevServer(options: { viaNpm?: boolean } = {}): Promise<DevServer> {
  const dir = mkdtempSync(join(tmpdir(), 'assistant-dev-'))
  for (const name of sources) {
    try {
      cpSync(join(root, name), join(dir, name), { recursive: true })
    }
    catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  mkdirSync(join(dir, 'node_modules'))
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name !== '.cache') symlinkSync(join(root, 'node_modules', name), join(dir, 'node_modules', name))
  }
  const [port, entraPort, openaiPort] = await freePorts(3) as [number, number, number]
  const devArgs = ['--port', String(port), '--host', '127.0.0.1']
  const [command, args]: [string, string[]] = options.viaNpm
    ? ['npm', ['run', 'dev', '--', ...devArgs]]
    : [process.execPath, [join(root, 'node_modules/@nuxt/cli/bin/nuxi.mjs'), 'dev', ...devArgs]]
  const child = spawn(command, args, {
    cwd: dir,
    detached: true,
    env: {
      PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      ENTRA_EMULATOR_PORT: String(entraPort),
      AZURE_OPENAI_EMULATOR_PORT: String(openaiPort),
      AUTH_ORIGIN: `http://127.0.0.1:${port}`,
      NUXT_TELEMETRY_DISABLED: '1',
    } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => {
    output += chunk
  })
  child.stderr!.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  const url = `http://127.0.0.1:${port}`
  const server: DevServer = {
    url,
    entraUrl: `http://127.0.0.1:${entraPort}`,
    openaiUrl: `http://127.0.0.1:${openaiPort}`,
    process: child,
    output: () => output,
    async interrupt() {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT')
      return exited
    },
    async stop() {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      }
      catch {
        // Already gone.
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
  // The first start compiles the server and the client's entry; the page itself comes later.
  const deadline = Date.now() + 240_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nuxi dev exited with ${child.exitCode}:\n${output}`)
    const ok = await fetch(`${url}/api/health`).then(r => r.ok, () => false)
    if (ok) return server
    await new Promise(resolve => setTimeout(resolve, 500))
  }
  await server.stop()
  throw new Error(`nuxi dev did not answer /api/health within 240 s:\n${output}`)
}
