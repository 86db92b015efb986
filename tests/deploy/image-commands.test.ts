import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEntraEmulator, tenants, type EntraEmulator } from '../../emulators/entra/index.ts'
import { startAzureOpenAIEmulator, type AzureOpenAIEmulator } from '../../emulators/azure-openai/index.ts'
import buildOnce from '../support/global-setup'
import { createTestDatabase, type TestDatabase } from '../support/database'
import {
  freePort,
  giveToImageUser,
  layOutImage,
  listFiles,
  processUid,
  repoRoot,
  runInImage,
  runningAsRoot,
  waitForOk,
  type ImageLayout,
  type ImageProcess,
} from './support/image'
import { find, render } from './support/kubernetes'

// Without a Docker engine (image.test.ts runs the real image where one answers, as in CI): the
// final stage is laid out as a folder from the Dockerfile's own steps
// and its CMD and HEALTHCHECK run there, as the image's user. By default the build stage is this
// checkout's build (.output); DEPLOY_SIMULATE_BUILD=1 runs the build stage's own COPY and RUN
// steps (npm ci, npm run build) in a folder first, which takes minutes, from this checkout or
// from the build context DEPLOY_BUILD_CONTEXT names (e.g. a `git archive` of a commit).
const simulate = process.env.DEPLOY_SIMULATE_BUILD === '1'
const context = process.env.DEPLOY_BUILD_CONTEXT || repoRoot

const CLIENT_ID = '0a1b2c3d-0000-4000-8000-0000000d0c4e'
const CLIENT_SECRET = 'image-test-client-secret'
const OPENAI_KEY = 'image-test-openai-key'

// The migrations of the sources the image was built from.
const migrationTags = (JSON.parse(readFileSync(join(context, 'drizzle/meta/_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> })
  .entries.map(e => e.tag)

function exitCodeWithin(process: ImageProcess, ms: number): Promise<number | null | 'timeout'> {
  return Promise.race([process.exited, new Promise<'timeout'>(resolve => setTimeout(() => resolve('timeout'), ms))])
}

describe('the image\'s commands, run in a folder laid out like the image', () => {
  let layout: ImageLayout
  let entra: EntraEmulator
  let openai: AzureOpenAIEmulator
  const databases: TestDatabase[] = []
  let server: ImageProcess
  let baseUrl: string
  let settings: (db: TestDatabase, port: number) => Promise<Record<string, string>>
  let filesAtStart: string[]

  beforeAll(async () => {
    if (!simulate) buildOnce()
    layout = layOutImage(simulate ? 'simulate' : 'checkout', line => console.log(`[image] ${line}`), context)
    filesAtStart = listFiles(layout.workdir).sort()
    const port = await freePort()
    const origin = `http://127.0.0.1:${port}`
    entra = await startEntraEmulator({
      clients: [{
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUris: [`${origin}/api/auth/callback/azure-ad`],
        postLogoutRedirectUris: [`${origin}/signed-out`],
      }],
    })
    openai = await startAzureOpenAIEmulator({ apiKey: OPENAI_KEY, deployments: ['gpt-4o-mini'] })
    settings = async (db, appPort) => {
      // PGlite writes its folder: it must belong to the image's user, like a mounted volume.
      if (db.kind === 'pglite') giveToImageUser(db.env.PGLITE_DATA_DIR!, layout)
      return {
        // Test mode accepts the emulators' http:// addresses; everything else as in production.
        APP_ENV: 'test',
        PORT: String(appPort),
        NUXT_AUTH_SECRET: 'image-test-secret-that-is-long-enough-0123456789',
        AUTH_ORIGIN: `http://127.0.0.1:${appPort}`,
        AZURE_AD_CLIENT_ID: CLIENT_ID,
        AZURE_AD_CLIENT_SECRET: CLIENT_SECRET,
        AZURE_AD_TENANT_ID: tenants.contoso.id,
        AZURE_AD_AUTHORITY_HOST: entra.authorityHost,
        AZURE_OPENAI_ENDPOINT: openai.url,
        AZURE_OPENAI_API_KEY: OPENAI_KEY,
        AZURE_OPENAI_DEPLOYMENT: 'gpt-4o-mini',
        SHUTDOWN_GRACE_SECONDS: '5',
        ...db.env,
      }
    }
    const db = await createTestDatabase()
    databases.push(db)
    baseUrl = `http://127.0.0.1:${port}`
    server = runInImage(layout, layout.cmd, await settings(db, port))
    await waitForOk(`${baseUrl}/api/health`, server)
  }, simulate ? 1_800_000 : 300_000)

  afterAll(async () => {
    await server?.stop('SIGKILL')
    await Promise.all([entra?.close(), openai?.close()])
    await Promise.all(databases.map(d => d.drop()))
    layout?.remove()
  })

  it('holds the built server, and no emulator nor dev dependency, in its WORKDIR', () => {
    expect(readdirSync(layout.workdir)).toEqual(['.output'])
    expect(filesAtStart).toEqual(expect.arrayContaining(['.output/server/index.mjs', '.output/nitro.json']))
    expect(filesAtStart.some(f => f.startsWith('.output/public/_nuxt/'))).toBe(true)
    expect(filesAtStart.filter(f => /(^|\/)emulators\//.test(f))).toEqual([])
    // The Entra emulator's engine and the test tools are dev dependencies: never in the image.
    const modules = readdirSync(join(layout.workdir, '.output/server/node_modules'))
    expect(modules.filter(m => ['oidc-provider', 'vitest', 'playwright-core', 'drizzle-kit', 'typescript', 'node'].includes(m))).toEqual([])
  })

  it('answers /api/health as the image\'s non-root user', async () => {
    const response = await fetch(`${baseUrl}/api/health`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok' })
    if (runningAsRoot) expect(processUid(server.process.pid!)).toBe(layout.user.uid)
    expect(layout.user.uid).toBeGreaterThan(0)
  })

  it('becomes ready on a fresh database with the migrations it carries', async () => {
    await waitForOk(`${baseUrl}/api/ready`, server)
    for (const tag of migrationTags) expect(server.output()).toContain(tag)
  })

  it('passes its own HEALTHCHECK command', async () => {
    const check = runInImage(layout, layout.healthcheck, { PORT: new URL(baseUrl).port })
    expect(await exitCodeWithin(check, 10_000), check.output()).toBe(0)
  })

  it('serves its pages and their client bundle', async () => {
    const page = await fetch(`${baseUrl}/`, { redirect: 'manual' })
    expect(page.status).toBeLessThan(500)
    const asset = filesAtStart.find(f => /^\.output\/public\/_nuxt\/[^/]+\.js$/.test(f))!
    const response = await fetch(`${baseUrl}/${asset.slice('.output/public/'.length)}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/javascript/)
  })

  it('writes nothing next to its code (the root filesystem is read-only in Kubernetes)', () => {
    expect(listFiles(layout.workdir).sort()).toEqual(filesAtStart)
  })

  it('exits 0 on SIGTERM, after which its HEALTHCHECK fails', async () => {
    server.process.kill('SIGTERM')
    expect(await exitCodeWithin(server, 30_000), server.output()).toBe(0)
    const check = runInImage(layout, layout.healthcheck, { PORT: new URL(baseUrl).port })
    expect(await exitCodeWithin(check, 10_000)).toBe(1)
  })

  // The migration Job's command (deploy/kubernetes): MIGRATE_ONLY=true means "apply the
  // migrations, then exit 0". Skipped on a build of a server that does not know it yet.
  it('runs the migration Job\'s command to completion on a fresh database', async (test) => {
    const chunks = join(layout.workdir, '.output/server/chunks')
    if (!listFiles(chunks).some(f => f.endsWith('.mjs') && readFileSync(join(chunks, f), 'utf8').includes('MIGRATE_ONLY'))) test.skip()
    const container = find(render('overlays/example'), 'Job', 'assistant-migrate').spec.template.spec.containers[0]
    const literal = Object.fromEntries(container.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string, value: string }) => [e.name, e.value]))
    const db = await createTestDatabase()
    databases.push(db)
    const job = runInImage(layout, container.command, { ...await settings(db, await freePort()), ...literal })
    expect(await exitCodeWithin(job, 60_000), job.output()).toBe(0)
    // The server that starts next finds nothing left to apply.
    const port = await freePort()
    const next = runInImage(layout, layout.cmd, await settings(db, port))
    try {
      await waitForOk(`http://127.0.0.1:${port}/api/ready`, next)
      expect(next.output()).not.toMatch(/applied migrations/)
    }
    finally {
      await next.stop('SIGKILL')
    }
  })
})
