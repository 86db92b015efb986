// `npm run bench`: builds once (when sources changed), starts the whole product (built server,
// Entra ID and Azure OpenAI emulators, a database of its own) and the peer baseline
// (bench/peer-server.ts), runs every scenario, prints the table and writes bench/results.json.
// See bench/README.md.
//
//   BENCH_QUICK=1            shorter run (fewer samples, 100k messages instead of 1M, 20k chunks instead of 100k)
//   DATABASE_URL=postgres:// the server runs on a fresh database created from it (else PGlite)
//   BENCH_ONLY=a,b           only these scenarios: footprint, overhead, throughput, api, streams, documents, history
//   BENCH_CPU_PROF=1         the server runs with --cpu-prof; profiles land in bench/profiles/
//   BENCH_KEEP_DB=1          keep the databases for a look afterwards (their names are printed)
//   BENCH_HNSW_MEMORY=1GB    maintenance_work_mem for the documents scenario's HNSW build
//   BENCH_NODE_ARGS='…'      extra flags for the server's node (e.g. --heapsnapshot-signal=SIGUSR2)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { EntraEmulator } from '../emulators/entra/index.ts'
import buildOnce from '../tests/support/global-setup.ts'
import type { BenchContext } from './lib/context.ts'
import {
  accounts, cookieHeader, createPgliteDatabase, imageNodeOptions, createPostgresDatabase, DEPLOYMENT, freePorts, OPENAI_KEY, root,
  signIn, snapshotBuild, startApp, startEntra, startOpenAIEmulator, startPeer, tenants, CLIENT_ID, CLIENT_SECRET,
  type AppServer, type BenchDatabase, type HttpClient, type OpenAIEmulatorProcess, type PeerServer,
} from './lib/stack.ts'
import { renderTable, type Row } from './lib/stats.ts'
import { agent } from './lib/stream-client.ts'
import { authApi } from './scenarios/auth-api.ts'
import { chatOverhead } from './scenarios/chat-overhead.ts'
import { concurrentStreams } from './scenarios/concurrent-streams.ts'
import { documents } from './scenarios/documents.ts'
import { footprint } from './scenarios/footprint.ts'
import { history } from './scenarios/history.ts'
import { throughput } from './scenarios/throughput.ts'

const quick = ['1', 'true'].includes(process.env.BENCH_QUICK ?? '')
const only = process.env.BENCH_ONLY?.split(',').map(s => s.trim()).filter(Boolean)
const cpuProf = ['1', 'true'].includes(process.env.BENCH_CPU_PROF ?? '')
const started = performance.now()
const log = (message: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}`)

const scenarios: Array<[string, (ctx: BenchContext) => Promise<void>]> = [
  ['footprint', footprint],
  ['overhead', chatOverhead],
  ['throughput', throughput],
  ['api', authApi],
  ['streams', concurrentStreams],
  ['documents', documents],
  // Last: it adds a million rows to the database.
  ['history', history],
]

let app: AppServer | undefined
let emulator: OpenAIEmulatorProcess | undefined
let peer: PeerServer | undefined
let entra: EntraEmulator | undefined
let db: BenchDatabase | undefined
let output: string | undefined
let releaseBuild: (() => void) | undefined

async function cleanup() {
  agent.destroy()
  await app?.stop().catch(() => {})
  await peer?.stop().catch(() => {})
  await emulator?.stop().catch(() => {})
  await entra?.close().catch(() => {})
  if (process.env.BENCH_KEEP_DB && db) log(`kept the bench database ${db.url ?? db.name} (BENCH_KEEP_DB)`)
  else await db?.drop().catch(e => log(`could not drop the bench database: ${(e as Error).message}`))
  if (releaseBuild) releaseBuild()
  else if (output) rmSync(output, { recursive: true, force: true })
  app = peer = emulator = entra = db = output = releaseBuild = undefined
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`)
    void cleanup().finally(() => process.exit(130))
  })
}

async function main() {
  log(`node ${process.version}, ${cpus().length} CPUs, load average ${loadavg().map(l => l.toFixed(2)).join(' ')}${quick ? ', QUICK run' : ''}`)
  log('building the production server when sources changed (tests/support/global-setup.ts)…')
  // global-setup builds when sources changed and hands this run a snapshot of .output (other
  // runs rebuild the shared one); an older global-setup without snapshots gets ours.
  let provided: string | undefined
  const teardown = buildOnce({ provide: (key: string, value: string) => {
    if (key === 'outputDir') provided = value
  } } as unknown as Parameters<typeof buildOnce>[0]) as unknown
  if (typeof teardown === 'function') releaseBuild = teardown as () => void
  output = provided ?? snapshotBuild()
  log(`running a private copy of the build: ${output}`)

  const [port] = await freePorts(1)
  const origin = `http://127.0.0.1:${port}`
  db = process.env.DATABASE_URL ? await createPostgresDatabase(process.env.DATABASE_URL) : createPgliteDatabase()
  log(`database: ${db.kind === 'postgres' ? `PostgreSQL ${db.name}` : `PGlite in ${db.name}`}`)
  entra = await startEntra([origin])
  // Chunk delay 0 by default; scenarios ask for slower streams with [[emulator:delay=NNN]].
  emulator = await startOpenAIEmulator({ chunkDelayMs: 0 })
  const profileDir = join(root, 'bench/profiles')
  if (cpuProf) mkdirSync(profileDir, { recursive: true })
  app = await startApp({
    ...db.env,
    AZURE_AD_CLIENT_ID: CLIENT_ID,
    AZURE_AD_CLIENT_SECRET: CLIENT_SECRET,
    AZURE_AD_TENANT_ID: tenants.contoso.id,
    AZURE_AD_AUTHORITY_HOST: entra.authorityHost,
    AZURE_OPENAI_ENDPOINT: emulator.url,
    AZURE_OPENAI_API_KEY: OPENAI_KEY,
    AZURE_OPENAI_DEPLOYMENT: DEPLOYMENT,
    RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000000',
    DAILY_TOKEN_QUOTA: '1000000000000',
  }, { port: port!, output, wait: '/api/ready', nodeArgs: [
    ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ...(process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []),
  ] })
  log(`app ${app.url} (pid ${app.pid}, NODE_OPTIONS=${imageNodeOptions() || 'none'} as in the Dockerfile), Azure OpenAI emulator ${emulator.url} (pid ${emulator.pid})`)
  // The peer baseline: the same AI SDK call against the same emulator, without the app around it.
  peer = await startPeer({ AZURE_OPENAI_ENDPOINT: emulator.url, AZURE_OPENAI_API_KEY: OPENAI_KEY, AZURE_OPENAI_DEPLOYMENT: DEPLOYMENT })
  log(`peer baseline ${peer.url} (pid ${peer.pid}, bench/peer-server.ts: node:http + streamText + pipeUIMessageStreamToResponse)`)

  const user = accounts.megan
  let client: HttpClient | undefined
  for (let attempt = 1; !client; attempt++) {
    try {
      client = await signIn(app.url, user)
    }
    catch (error) {
      if (attempt >= 3) throw error
      log(`sign-in attempt ${attempt} failed (${(error as Error).message}${(error as Error).cause ? `: ${String((error as Error).cause)}` : ''}); retrying`)
      await new Promise(resolve => setTimeout(resolve, 1000))
    }
  }
  const ctx: BenchContext = {
    quick,
    app,
    emulator,
    peer,
    db,
    client,
    cookie: cookieHeader(client, app.url),
    userOid: user.oid,
    rows: [],
    details: {},
    log,
  }

  const failed: string[] = []
  for (const [name, run] of scenarios) {
    if (only && !only.includes(name)) continue
    log(`--- ${name}`)
    const t0 = performance.now()
    try {
      await run(ctx)
    }
    catch (error) {
      failed.push(name)
      log(`${name} failed: ${(error as Error).stack ?? error}`)
      log(`server output (tail):\n${app.output().split('\n').slice(-20).join('\n')}`)
      ctx.rows.push({ scenario: name, figure: 'scenario error', target: '', measured: (error as Error).message.slice(0, 80), pass: false })
    }
    ctx.details[`${name}Seconds`] = Math.round((performance.now() - t0) / 100) / 10
  }
  const serverLogLines = app.logLines()
  await cleanup()

  const rows: Row[] = ctx.rows
  const title = `Benchmark (${ctx.db.kind === 'postgres' ? 'PostgreSQL' : 'PGlite'}${quick ? ', quick' : ''}, ${cpus().length} CPUs, node ${process.version})`
  console.log(`\n${title}\n\n${renderTable(rows)}\n`)
  const misses = rows.filter(r => r.pass === false)
  console.log(misses.length ? `${misses.length} figure(s) miss their target.` : 'Every figure meets its target.')
  const out = {
    finishedAt: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    quick,
    database: ctx.db.kind,
    node: process.version,
    cpus: cpus().length,
    loadAverageAtEnd: loadavg(),
    cpuProfile: cpuProf ? profileDir : undefined,
    serverLogLines,
    rows,
    details: ctx.details,
    failedScenarios: failed,
  }
  writeFileSync(join(root, 'bench/results.json'), `${JSON.stringify(out, null, 2)}\n`)
  log(`wrote bench/results.json in ${out.durationSeconds} s total`)
  // Missed targets are results, not errors; only a scenario that could not run fails the command.
  process.exitCode = failed.length ? 1 : 0
}

main().catch(async (error) => {
  log(`bench failed: ${(error as Error).stack ?? error}${(error as Error).cause ? `\ncause: ${String((error as Error).cause)}` : ''}`)
  if (app) log(`server output (tail):\n${app.output().split('\n').slice(-30).join('\n')}`)
  await cleanup()
  process.exit(2)
})
