import { randomUUID } from 'node:crypto'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deltas, followChat, sendChat, userMessage } from '../support/chat-client'
import { createTestDatabase, type TestDatabase } from '../support/database'
import type { HttpClient } from '../support/http-client'
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/round-robin-proxy'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'
import {
  buildImage,
  containerState,
  containerTests,
  imageFacts,
  imageFiles,
  removeContainers,
  runToExit,
  startContainer,
  TMPFS_PATHS,
  type Container,
  type ImageFacts,
} from './support/container'
import { processEnv, repoRoot } from './support/dockerfile'
import { processUid } from './support/image'
import { find, render, type K8sObject } from './support/kubernetes'

// The image built from this working tree and run as operators will run it: non-root, read-only
// root, no capabilities, behind probes, several replicas on one PostgreSQL. Needs a container
// engine (scripts/container-engine.sh start); CI's PostgreSQL run requires one
// (CONTAINER_TESTS=required), its PGlite run skips these (CONTAINER_TESTS=skip). The image is
// built once here and every check below reuses it.
const mode = containerTests()

describe.runIf(mode.missingEngine)('the image (CONTAINER_TESTS=required)', () => {
  it('has a container engine to build and run it', () => {
    expect.fail('No container engine answers `docker info`: run scripts/container-engine.sh start (README, Container image)')
  })
})

const migrationTags = (JSON.parse(readFileSync(join(repoRoot, 'drizzle/meta/_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> })
  .entries.map(e => e.tag)

/** What the image did here, which the Kubernetes manifests must leave room for. */
const measured = {
  buildS: 0,
  readyS: 0,
  readyLatencyMs: 0,
  healthyS: 0,
  migrateS: 0,
  /** SIGTERM to exit, with one answer open. */
  drainExitS: 0,
  /** From the open answer's last event to the process's exit. */
  drainAfterAnswerS: 0,
  readyWhileDraining: 0,
}
const GRACE_S = 10

describe.runIf(mode.run)('the image, built from this working tree and run as an operator would', () => {
  let facts: ImageFacts
  let stack: Stack
  let app: Container
  let client: HttpClient

  beforeAll(async () => {
    const build = buildImage()
    measured.buildS = build.seconds
    facts = imageFacts()
    stack = await startStack({
      db: await createTestDatabase({ kind: 'postgres' }),
      servers: 2,
      startServer: startContainer,
      env: { SHUTDOWN_GRACE_SECONDS: String(GRACE_S) },
    })
    app = stack.app as Container
    measured.readyS = app.readyAfterMs / 1000
    client = (await signIn(app, accounts.megan)).client
  }, 1_500_000)

  afterAll(async () => {
    await stack?.stop()
    await stack?.db.drop()
    removeContainers()
    console.log(`[image] measured: ${JSON.stringify(measured)}`)
  })

  it('answers /api/health and /api/ready with a read-only root, as uid 10001 with no capability', async () => {
    const started = Date.now()
    const ready = await fetch(`${app.url}/api/ready`)
    measured.readyLatencyMs = Date.now() - started
    expect(ready.status).toBe(200)
    const health = await fetch(`${app.url}/api/health`)
    expect(await health.json()).toEqual({ status: 'ok' })
    expect(facts.user).toBe('10001:10001')
    // The server's own process, seen from this machine (the host network shares its loopback).
    const pid = Number(containerState(app.name).Pid)
    expect(processUid(pid)).toBe(10001)
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^CapEff:\s+0+$/m)
    expect(readFileSync(`/proc/${pid}/mountinfo`, 'utf8')).toMatch(/ \/ \/ ro[, ]/)
    for (const tag of migrationTags) expect(app.output()).toContain(tag)
  })

  it('signs in through Entra and streams an answer that is stored', async () => {
    const chatId = randomUUID()
    const result = await sendChat(client, app.url, chatId, { message: userMessage(`Hello from the image ${randomUUID()}`) })
    expect(result.status).toBe(200)
    expect(deltas(result.events)).toBeGreaterThan(1)
    expect(result.events.at(-1)).toMatchObject({ type: 'finish', messageMetadata: { status: 'complete' } })
    const page = await api(client, `${app.url}/api/chats/${chatId}/messages`)
    expect(page.json.messages[1]).toMatchObject({ role: 'assistant', status: 'complete', parts: [{ text: result.text }] })
  })

  it('holds no dev dependency, emulator, .env or source map, and reports its size', () => {
    const files = imageFiles()
    const app = files.filter(f => f.path.startsWith(`${facts.workdir}/`))
    expect(app.length).toBeGreaterThan(100)
    const modules = new Set(app.map(f => /\/\.output\/server\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f.path)?.[1]).filter(Boolean))
    const dev = Object.keys((JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies)
    expect(dev.filter(name => modules.has(name))).toEqual([])
    expect(files.filter(f => /(^|\/)emulators?\//.test(f.path) && f.path.startsWith('/app'))).toEqual([])
    expect(files.filter(f => /\/\.env(\.|$)/.test(f.path))).toEqual([])
    expect(app.filter(f => f.path.endsWith('.map'))).toEqual([])
    // The runtime stage never had npm or corepack (Debian slim and Node's binary): nothing to patch.
    expect(files.filter(f => /^\/usr\/local\/(lib\/node_modules\/(npm|corepack)\/|bin\/(npm|npx|corepack)$)/.test(f.path))).toEqual([])

    const mb = (bytes: number) => Math.round(bytes / 1e6)
    const total = mb(facts.sizeBytes)
    const biggest = [...facts.layers].sort((a, b) => b.bytes - a.bytes).slice(0, 3)
      .map(l => `${mb(l.bytes)} MB ${l.createdBy.replace(/^\/bin\/sh -c (#\(nop\) )?/, '').slice(0, 50) || '(imported base file system)'}`)
    const bySize = new Map<string, number>()
    for (const f of app) {
      const key = /\/\.output\/server\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f.path)?.[1] ?? f.path.split('/').slice(0, 4).join('/')
      bySize.set(key, (bySize.get(key) ?? 0) + f.bytes)
    }
    const appParts = [...bySize].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => `${k} ${mb(v)} MB`)
    console.log(`[image] ${total} MB; biggest layers: ${biggest.join('; ')}; in /app: ${appParts.join(', ')}`)
    expect(total).toBeLessThan(250)
  })

  it('refuses to start without its settings, naming each missing one, and exits non-zero', async () => {
    const run = await runToExit({}, { settings: 'none' })
    expect(run.code).not.toBe(0)
    for (const name of ['NUXT_AUTH_SECRET', 'AUTH_ORIGIN', 'AZURE_AD_CLIENT_ID', 'AZURE_AD_CLIENT_SECRET', 'AZURE_AD_TENANT_ID', 'AZURE_OPENAI_DEPLOYMENT']) {
      expect(run.output).toContain(name)
    }
  })

  it('runs the migration Job\'s command: applies the migrations, exits 0, and again exits 0', async () => {
    const job = jobContainer()
    const literal = Object.fromEntries(job.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string, value: string }) => [e.name, e.value]))
    expect(literal).toEqual({ MIGRATE_ONLY: 'true' })
    const db: TestDatabase = await createTestDatabase({ kind: 'postgres' })
    try {
      const env = { ...stack.env, ...db.env, ...literal }
      const first = await runToExit(env, { command: job.command })
      expect(first.code, first.output).toBe(0)
      expect(first.output).toMatch(/applied migrations/)
      measured.migrateS = first.ms / 1000
      const second = await runToExit(env, { command: job.command })
      expect(second.code, second.output).toBe(0)
      expect(second.output).not.toMatch(/applied migrations/)
      const sql = postgres(db.url!, { max: 1, onnotice: () => {} })
      const [row] = await sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`
      await sql.end()
      expect(row!.n).toBe(migrationTags.length)
    }
    finally {
      await db.drop()
    }
  })

  it('drains on `docker stop`: not ready, the open answer finishes and is stored, exit 0 within the grace', async () => {
    const draining = await stack.startApp() as Container
    const { client: alex } = await signIn(draining, accounts.alex)
    const chatId = randomUUID()
    let stopped: Promise<unknown> | undefined
    let stopAt = 0
    const result = await sendChat(alex, draining.url, chatId, { message: userMessage('Answer slowly [[emulator:delay=40]]') }, async (_, events) => {
      if (deltas(events) !== 2 || stopped) return
      stopAt = Date.now()
      // Docker's own grace before SIGKILL, beyond the server's: the server must not need it.
      stopped = promisify(execFile)('docker', ['stop', '--time', String(GRACE_S + 20), draining.name], { env: processEnv({ ...process.env }) })
      await expect.poll(async () => (measured.readyWhileDraining = (await fetch(`${draining.url}/api/ready`)).status)).toBe(503)
    })
    const answeredAt = Date.now()
    expect(result.events.at(-1)).toMatchObject({ type: 'finish', messageMetadata: { status: 'complete' } })
    expect(await draining.exited).toBe(0)
    await stopped
    const exitedAt = Date.now()
    measured.drainExitS = (exitedAt - stopAt) / 1000
    measured.drainAfterAnswerS = (exitedAt - answeredAt) / 1000
    expect(measured.readyWhileDraining).toBe(503)
    expect(measured.drainExitS).toBeLessThan(GRACE_S + 5)
    expect(draining.output()).toContain('Drained; exiting')
    const { client: back } = await signIn(app, accounts.alex)
    const page = await api(back, `${app.url}/api/chats/${chatId}/messages`)
    expect(page.json.messages[1]).toMatchObject({ status: 'complete', parts: [{ text: result.text }] })
  })

  it('turns healthy by its own HEALTHCHECK', async () => {
    const { intervalS, timeoutS, retries } = facts.healthcheck
    expect(facts.healthcheck.test.join(' ')).toContain('/api/health')
    // Docker runs the first check one interval after the start.
    await expect.poll(() => containerState(app.name).Health?.Status, { timeout: (intervalS + timeoutS * retries + 5) * 1000, interval: 500 }).toBe('healthy')
    // Docker's times have nanoseconds; Date.parse takes milliseconds.
    measured.healthyS = (Date.now() - Date.parse(containerState(app.name).StartedAt.replace(/(\.\d{3})\d*/, '$1'))) / 1000
  }, 120_000)

  describe('two replicas on one PostgreSQL behind a round-robin proxy', () => {
    let proxy: RoundRobinProxy
    let replicas: Stack
    let viaProxy: HttpClient

    beforeAll(async () => {
      proxy = await startRoundRobinProxy()
      replicas = await startStack({
        db: await createTestDatabase({ kind: 'postgres' }),
        servers: 2,
        origin: proxy.url,
        startServer: startContainer,
        env: { RATE_LIMIT_REQUESTS_PER_MINUTE: '10000' },
      })
      const second = await replicas.startApp()
      proxy.upstreams = [replicas.app.url, second.url]
      // Each request of the sign-in's redirect chain lands on the other replica.
      viaProxy = (await signIn(proxy, accounts.megan)).client
    }, 300_000)

    afterAll(async () => {
      await replicas?.stop()
      await replicas?.db.drop()
      await proxy?.close()
    })

    const servedBy = (path: string, method = 'GET') => proxy.log.filter(l => l.path === path && l.method === method).map(l => l.upstream)

    it('stops on one replica an answer streaming on the other, and stores it as stopped', async () => {
      const chatId = randomUUID()
      const text = `Slow answer please [[emulator:slow]] ${randomUUID()}`
      let stop: Record<string, unknown> | undefined
      const result = await sendChat(viaProxy, proxy.url, chatId, { message: userMessage(text) }, async (_, events) => {
        if (deltas(events) !== 3 || stop) return
        stop = (await api(viaProxy, `${proxy.url}/api/chats/${chatId}/stop`, { method: 'POST', headers: { origin: proxy.url } })).json
      })
      const [sentTo] = servedBy(`/api/chats/${chatId}/messages`, 'POST')
      const [stoppedOn] = servedBy(`/api/chats/${chatId}/stop`, 'POST')
      expect(stoppedOn).not.toBe(sentTo)
      expect(stop).toMatchObject({ stopped: true, message: { status: 'stopped', text: result.text } })
      // The replica that was asking Azure stopped asking.
      const modelCalls = async () => (await fetch(`${replicas.openai.url}/_emulator/requests`).then(r => r.json()) as Array<{ lastUserText: string, aborted: boolean }>)
        .filter(r => r.lastUserText === text)
      await expect.poll(async () => (await modelCalls())[0]?.aborted, { timeout: 1000, interval: 20 }).toBe(true)
      expect(result.events.at(-1)).toMatchObject({ type: 'finish' })
      const page = await api(viaProxy, `${proxy.url}/api/chats/${chatId}/messages`)
      expect(page.json.messages[1]).toMatchObject({ status: 'stopped', parts: [{ text: result.text }] })
    })

    it('follows on one replica an answer streaming on the other: every token once, as stored', async () => {
      const chatId = randomUUID()
      let follower: ReturnType<typeof followChat> | undefined
      const original = await sendChat(viaProxy, proxy.url, chatId, { message: userMessage(`Keep going [[emulator:delay=15]] ${randomUUID()}`) }, (_, events) => {
        if (deltas(events) === 5) follower = followChat(viaProxy, `${proxy.url}/api/chats/${chatId}/stream`)
      })
      const followed = await follower!
      expect(servedBy(`/api/chats/${chatId}/stream`)[0]).not.toBe(servedBy(`/api/chats/${chatId}/messages`, 'POST')[0])
      expect(followed.status).toBe(200)
      const page = await api(viaProxy, `${proxy.url}/api/chats/${chatId}/messages`)
      const answer = page.json.messages[1]
      expect(answer).toMatchObject({ status: 'complete' })
      expect(followed.text).toBe(answer.parts[0].text)
      expect(original.text).toBe(answer.parts[0].text)
      expect(followed.events[0]).toMatchObject({ type: 'start', messageId: answer.id })
      expect(followed.events.at(-1)).toMatchObject({ type: 'finish', messageMetadata: { status: 'complete' } })
    })
  })

  // Runs last: it holds the manifests to what the image was seen doing above.
  describe('the Kubernetes overlay, against what the image did here', () => {
    let objects: K8sObject[]
    beforeAll(() => {
      objects = render('overlays/example')
    })
    const web = () => find(objects, 'Deployment', 'assistant').spec.template.spec
    const seconds = (probe: { periodSeconds: number, failureThreshold: number }) => probe.periodSeconds * probe.failureThreshold

    it('runs both workloads as the image\'s user, read-only, with exactly the tmpfs paths it ran with', () => {
      const uid = Number(facts.user.split(':')[0])
      for (const pod of [web(), jobPod()]) {
        const container = pod.containers[0]
        expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: uid, capabilities: { drop: ['ALL'] } })
        expect(container.volumeMounts.map((m: { mountPath: string }) => m.mountPath).sort()).toEqual([...TMPFS_PATHS].sort())
        for (const mount of container.volumeMounts) {
          expect(pod.volumes.find((v: { name: string }) => v.name === mount.name)).toHaveProperty('emptyDir')
        }
      }
    })

    it('probes the paths and port the image answered on, with room for its measured start-up', () => {
      const container = web().containers[0]
      const port = container.ports.find((p: { name: string }) => p.name === 'http').containerPort
      expect(String(port)).toBe(facts.env.PORT)
      expect(facts.exposedPorts).toContain(`${port}/tcp`)
      // Liveness and start-up on what the image's own HEALTHCHECK asks; readiness on /api/ready,
      // which answered 200 once up and 503 while draining above.
      const healthPath = /\/api\/[a-z]+/.exec(facts.healthcheck.test.join(' '))![0]
      expect(container.startupProbe.httpGet.path).toBe(healthPath)
      expect(container.livenessProbe.httpGet.path).toBe(healthPath)
      expect(container.readinessProbe.httpGet.path).toBe('/api/ready')
      expect(measured.readyWhileDraining).toBe(503)
      // A pod's CPU limit may be below this machine's: five times the measured start-up.
      expect(measured.readyS).toBeGreaterThan(0)
      expect(seconds(container.startupProbe)).toBeGreaterThanOrEqual(5 * measured.readyS)
      for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) {
        expect(probe.timeoutSeconds * 1000).toBeGreaterThan(3 * measured.readyLatencyMs)
      }
    })

    it('gives a pod the preStop pause, the drain and what the image needed after it before SIGKILL', () => {
      const pod = web()
      const config = find(objects, 'ConfigMap').data as Record<string, string>
      const grace = Number(config.SHUTDOWN_GRACE_SECONDS)
      expect(measured.drainExitS).toBeGreaterThan(0)
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(pod.containers[0].lifecycle.preStop.sleep.seconds + grace + Math.ceil(measured.drainAfterAnswerS))
    })

    it('runs the migration Job with the image\'s own command, in its WORKDIR, well within its deadline', () => {
      const job = find(objects, 'Job', 'assistant-migrate')
      const container = jobContainer()
      expect(container.command).toEqual(facts.cmd)
      expect(container.workingDir ?? facts.workdir).toBe(facts.workdir)
      expect(measured.migrateS).toBeGreaterThan(0)
      expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(20 * measured.migrateS)
    })
  })
})

function jobPod() {
  return find(render('overlays/example'), 'Job', 'assistant-migrate').spec.template.spec
}

function jobContainer() {
  return jobPod().containers[0]
}
