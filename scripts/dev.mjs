// `npm run dev`: `nuxi dev`, and when npm is stopped, nuxi and the emulators it started stop too.
// npm passes SIGTERM to the shell that runs a script, which dies without passing it on: nuxi
// would run on, orphaned, its emulators holding their ports. So this process forwards signals and
// stops nuxi when its own parent is gone. (Ctrl-C in a terminal reaches every process anyway.)
import { spawn } from 'node:child_process'
import { join } from 'node:path'

const nuxi = join(import.meta.dirname, '../node_modules/@nuxt/cli/bin/nuxi.mjs')
const child = spawn(process.execPath, [nuxi, 'dev', ...process.argv.slice(2)], { stdio: 'inherit' })
const parent = process.ppid

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal))
}
const orphaned = setInterval(() => {
  if (process.ppid !== parent) child.kill('SIGTERM')
}, 500)
child.on('exit', (code, signal) => {
  clearInterval(orphaned)
  process.exit(code ?? (signal ? 1 : 0))
})
