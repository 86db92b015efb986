import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './app-server'

/**
 * A PostgreSQL instance of the test's own, on its own port, from this machine's server binaries,
 * so a test can stop and restart it without touching the shared one. PostgreSQL refuses to run as
 * root, so when we are root it runs as the `postgres` user.
 */
export async function startPrivatePostgres() {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort() : []
  if (!versions.length) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql')
  const bin = (name: string) => join('/usr/lib/postgresql', versions.at(-1)!, 'bin', name)
  const dir = mkdtempSync(join(tmpdir(), 'private-pg-'))
  chmodSync(dir, 0o777)
  const dataDir = join(dir, 'data')
  const port = await freePort()
  const asPostgres = process.getuid?.() === 0 ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--clear-groups', '--'] : []
  const run = (cmd: string, args: string[]) => {
    const [exe, ...rest] = [...asPostgres, cmd, ...args]
    const result = spawnSync(exe!, rest, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } })
    if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${result.stderr}`)
  }
  run(bin('initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync'])
  const start = () => run(bin('pg_ctl'), ['-D', dataDir, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', join(dir, 'log'), '-w', 'start'])
  const stop = (mode: 'fast' | 'immediate' = 'fast') => run(bin('pg_ctl'), ['-D', dataDir, '-m', mode, '-w', 'stop'])
  start()
  execFileSync(bin('psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-c', 'CREATE DATABASE app'])
  return {
    url: `postgres://postgres@127.0.0.1:${port}/app`,
    start,
    stop,
    destroy() {
      try {
        stop('immediate')
      }
      catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
