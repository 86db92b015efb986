import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import type { TestProject } from 'vitest/node'
import { join } from 'node:path'

const root = join(import.meta.dirname, '../..')
const sources = ['modules', 'i18n', 'shared', 'pages', 'components', 'composables', 'layouts', 'middleware', 'plugins', 'utils', 'server', 'drizzle', 'assets', 'public', 'app.vue', 'error.vue', 'app.config.ts', 'nuxt.config.ts', 'package-lock.json']
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

declare module 'vitest' {
  export interface ProvidedContext { outputDir: string }
}

/**
 * Builds the production server once for all Nitro and browser tests (skipped when the build is
 * newer than every source file, so a second run starts at once), then gives this run a snapshot
 * of it: another run that rebuilds .output meanwhile cannot pull it from under our servers.
 */
export default function setup(project?: TestProject) {
  mkdirSync(join(root, '.cache'), { recursive: true })
  acquire()
  const snapshot = join(root, `.cache/output-${process.pid}-${Date.now()}`)
  try {
    if (isStale() || process.env.FORCE_BUILD) {
      console.log('[tests] building the production server once (nuxi build)…')
      execFileSync(process.execPath, [join(root, 'node_modules/.bin/nuxi'), 'build'], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, NODE_ENV: 'production' },
      })
    }
    cpSync(join(root, '.output'), snapshot, { recursive: true, verbatimSymlinks: true })
  }
  finally {
    rmSync(lock, { recursive: true, force: true })
  }
  project?.provide('outputDir', snapshot)
  return () => rmSync(snapshot, { recursive: true, force: true })
}
