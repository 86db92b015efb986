import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '../..')
const sources = ['modules', 'pages', 'components', 'composables', 'layouts', 'middleware', 'plugins', 'utils', 'server', 'drizzle', 'assets', 'public', 'app.vue', 'error.vue', 'app.config.ts', 'nuxt.config.ts', 'package-lock.json']
const lock = join(root, '.cache/build.lock')

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map(name => newestMtime(join(path, name))))
}

function isStale(): boolean {
  const built = join(root, '.output/nitro.json')
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0
  return builtAt <= Math.max(...sources.map(s => newestMtime(join(root, s))))
}

function holderAlive(): boolean {
  try {
    process.kill(Number(readFileSync(join(lock, 'pid'), 'utf8')), 0)
    return true
  }
  catch {
    return false
  }
}

/** One build at a time, even when several test runs start together (they share .output). */
function acquire(): void {
  for (;;) {
    try {
      mkdirSync(lock, { recursive: false })
      writeFileSync(join(lock, 'pid'), String(process.pid))
      return
    }
    catch {
      if (!holderAlive()) rmSync(lock, { recursive: true, force: true })
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500)
    }
  }
}

// Build the production server once for all Nitro and browser tests; skip it when the build is
// newer than every source file, so a second run (the other database, a re-run) starts at once.
export default function setup() {
  if (!isStale() && !process.env.FORCE_BUILD) return
  mkdirSync(join(root, '.cache'), { recursive: true })
  acquire()
  try {
    if (!isStale() && !process.env.FORCE_BUILD) return
    console.log('[tests] building the production server once (nuxi build)…')
    execFileSync(process.execPath, [join(root, 'node_modules/.bin/nuxi'), 'build'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' },
    })
  }
  finally {
    rmSync(lock, { recursive: true, force: true })
  }
}
