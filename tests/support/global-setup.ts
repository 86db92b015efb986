import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '../..')
const sources = ['modules', 'pages', 'components', 'composables', 'layouts', 'middleware', 'plugins', 'server', 'drizzle', 'assets', 'public', 'app.vue', 'error.vue', 'app.config.ts', 'nuxt.config.ts', 'package-lock.json']

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map(name => newestMtime(join(path, name))))
}

// Build the production server once for all Nitro and browser tests; skip it when the build is
// newer than every source file, so a second run (the other database, a re-run) starts at once.
export default function setup() {
  const built = join(root, '.output/nitro.json')
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0
  const changedAt = Math.max(...sources.map(s => newestMtime(join(root, s))))
  if (builtAt > changedAt && !process.env.FORCE_BUILD) return
  console.log('[tests] building the production server once (nuxi build)…')
  execFileSync(process.execPath, [join(root, 'node_modules/.bin/nuxi'), 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  })
}
