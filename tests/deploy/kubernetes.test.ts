import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, parseServerConfig } from '../../server/utils/config'
import { repoRoot } from './support/dockerfile'
import { find, kubernetesDir, kustomize, parseYaml, podTemplates, render, schemaErrors, unknownFields, type K8sObject } from './support/kubernetes'

// Every setting the server reads in production (the list of .env.example); the secret ones must
// come from the Secret, never from the ConfigMap or a literal.
const SETTINGS = [
  'DATABASE_URL', 'DATABASE_POOL_MAX',
  'NUXT_AUTH_SECRET', 'AUTH_ORIGIN', 'AZURE_AD_CLIENT_ID', 'AZURE_AD_CLIENT_SECRET', 'AZURE_AD_TENANT_ID',
  'AZURE_AD_AUTHORITY_HOST', 'AZURE_AD_SCOPE', 'AZURE_AD_ALLOWED_TENANTS', 'AZURE_AD_PROMPT', 'AZURE_AD_EXPOSE_ACCESS_TOKEN',
  'AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_RESOURCE_NAME', 'AZURE_OPENAI_DEPLOYMENT', 'AZURE_OPENAI_API',
  'AZURE_OPENAI_API_VERSION', 'AZURE_OPENAI_API_KEY', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET',
  'AZURE_AUTHORITY_HOST',
  'CHAT_SYSTEM_PROMPT', 'CHAT_MAX_OUTPUT_TOKENS', 'CHAT_CONTEXT_BUDGET_TOKENS', 'CHAT_MAX_MESSAGE_CHARS',
  'CHAT_TIMEOUT_SECONDS', 'RATE_LIMIT_REQUESTS_PER_MINUTE', 'DAILY_TOKEN_QUOTA',
  'MESSAGE_RETENTION_DAYS', 'AUDIT_RETENTION_DAYS', 'SHUTDOWN_GRACE_SECONDS', 'LOG_LEVEL', 'LOG_FORMAT',
]
const SECRETS = ['NUXT_AUTH_SECRET', 'AZURE_AD_CLIENT_SECRET', 'DATABASE_URL', 'AZURE_OPENAI_API_KEY', 'AZURE_CLIENT_SECRET']
// In .env.example but not for the cluster's ConfigMap: a developer's machine or the tests only,
// the image's own (PORT, HOST), and the migration Job's switch.
const NOT_FROM_CONFIG = /^(APP_ENV|NODE_ENV|PORT|HOST|PGLITE_DATA_DIR|.*EMULATOR.*|MIGRATE_ONLY)$/
const SECRET_NAME = 'assistant-secrets'
const WORKLOAD_IDENTITY_ENV = ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_AUTHORITY_HOST', 'AZURE_FEDERATED_TOKEN_FILE']

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are read loosely
type Container = any

/** How a container gets each variable: 'configmap', 'secret', or 'literal'. */
function envSources(objects: K8sObject[], container: Container): Map<string, 'configmap' | 'secret' | 'literal'> {
  const sources = new Map<string, 'configmap' | 'secret' | 'literal'>()
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) {
      for (const key of Object.keys(find(objects, 'ConfigMap', from.configMapRef.name).data ?? {})) sources.set(key, 'configmap')
    }
    if (from.secretRef) throw new Error('envFrom a Secret hides which secrets a pod gets: list them under env')
  }
  for (const entry of container.env ?? []) {
    if (entry.valueFrom?.secretKeyRef) sources.set(entry.name, 'secret')
    else if (entry.valueFrom?.configMapKeyRef) sources.set(entry.name, 'configmap')
    else sources.set(entry.name, 'literal')
  }
  return sources
}

function envExampleNames(): string[] {
  const file = join(repoRoot, '.env.example')
  if (!existsSync(file)) return []
  return [...readFileSync(file, 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map(m => m[1]!)
}

describe.each(['base', 'overlays/example'])('the Kubernetes manifests of %s', (dir) => {
  let objects: K8sObject[]
  beforeAll(() => {
    objects = render(dir)
  })

  it('render with kustomize v5', () => {
    expect(kustomize().version).toMatch(/v?5\./)
    expect(objects.map(o => o.kind).sort()).toEqual(expect.arrayContaining([
      'ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'Job', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount',
    ]))
  })

  it('are valid against the Kubernetes OpenAPI schemas', () => {
    const problems = objects.flatMap(o => schemaErrors(o).map(p => `${o.kind}/${o.metadata.name} ${p}`))
    expect(problems).toEqual([])
  })

  it('use no field that Kubernetes does not know', () => {
    expect(unknownFields(objects)).toEqual([])
  })

  it('run every pod as a non-root user with a read-only filesystem and no capability', () => {
    for (const { owner, spec } of podTemplates(objects)) {
      expect(spec.securityContext, owner).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })
      expect(spec.securityContext.runAsUser, owner).toBeGreaterThan(0)
      expect(spec.automountServiceAccountToken, owner).toBe(false)
      expect(spec.hostNetwork ?? false, owner).toBe(false)
      expect(spec.hostPID ?? false, owner).toBe(false)
      expect(spec.hostIPC ?? false, owner).toBe(false)
      expect((spec.volumes ?? []).filter((v: { hostPath?: unknown }) => v.hostPath), owner).toEqual([])
      for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
        const where = `${owner} container ${container.name}`
        expect(container.securityContext, where).toMatchObject({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        })
        expect(container.securityContext.privileged ?? false, where).toBe(false)
        expect(container.securityContext.capabilities.add ?? [], where).toEqual([])
        // The only writable place: /tmp, an emptyDir.
        const tmp = container.volumeMounts?.find((m: { mountPath: string }) => m.mountPath === '/tmp')
        expect(tmp, where).toBeDefined()
        expect(spec.volumes.find((v: { name: string }) => v.name === tmp.name)?.emptyDir, where).toBeDefined()
        expect(container.resources?.requests, where).toMatchObject({ cpu: expect.anything(), memory: expect.anything() })
        expect(container.resources?.limits, where).toMatchObject({ cpu: expect.anything(), memory: expect.anything() })
      }
    }
  })

  it('probe liveness on /api/health and readiness on /api/ready, on the server\'s port', () => {
    const container = find(objects, 'Deployment', 'assistant').spec.template.spec.containers[0]
    const port = container.ports.find((p: { containerPort: number }) => p.containerPort === 3000)
    expect(port).toBeDefined()
    expect(container.livenessProbe.httpGet).toEqual({ path: '/api/health', port: port.name })
    expect(container.readinessProbe.httpGet).toEqual({ path: '/api/ready', port: port.name })
    // A database outage keeps pods unready, never restarts them: the startup probe is liveness.
    expect(container.startupProbe.httpGet).toEqual({ path: '/api/health', port: port.name })
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(30)
  })

  it('give a stopping pod time to leave the ingress and drain its streams', () => {
    const deployment = find(objects, 'Deployment', 'assistant')
    const config = find(objects, 'ConfigMap').data
    const container = deployment.spec.template.spec.containers[0]
    const preStop = container.lifecycle?.preStop?.sleep?.seconds
    expect(preStop).toBeGreaterThanOrEqual(3)
    expect(preStop).toBeLessThanOrEqual(15)
    const grace = Number(config.SHUTDOWN_GRACE_SECONDS)
    expect(grace).toBeGreaterThan(0)
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + grace + 5)
  })

  it('keep at least two replicas, spread over nodes and zones, one disrupted at a time', () => {
    const deployment = find(objects, 'Deployment', 'assistant')
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'assistant')
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'assistant' })
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2)
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas)
    // The autoscaler owns the count: a spec.replicas would be reset by every apply.
    expect(deployment.spec.replicas).toBeUndefined()
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0)
    const spec = deployment.spec.template.spec
    expect(spec.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey))
      .toEqual(expect.arrayContaining(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']))
    expect(spec.affinity.podAntiAffinity).toBeDefined()
    const pdb = find(objects, 'PodDisruptionBudget', 'assistant')
    expect(pdb.spec.maxUnavailable ?? hpa.spec.minReplicas - pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas)
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels)
  })

  it('select the web pods, and only those, behind the Service, the budget and the autoscaler', () => {
    const deployment = find(objects, 'Deployment', 'assistant')
    const web = deployment.spec.template.metadata.labels
    const job = find(objects, 'Job', 'assistant-migrate').spec.template.metadata.labels
    const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => labels[k] === v)
    for (const selector of [deployment.spec.selector.matchLabels, find(objects, 'Service', 'assistant').spec.selector, find(objects, 'PodDisruptionBudget', 'assistant').spec.selector.matchLabels]) {
      expect(selects(selector, web)).toBe(true)
      expect(selects(selector, job)).toBe(false)
    }
    const service = find(objects, 'Service', 'assistant')
    expect(service.spec.ports[0].targetPort).toBe(deployment.spec.template.spec.containers[0].ports[0].name)
  })

  it('use Azure workload identity for Azure OpenAI', () => {
    const deployment = find(objects, 'Deployment', 'assistant')
    const account = find(objects, 'ServiceAccount', deployment.spec.template.spec.serviceAccountName)
    expect(account.metadata.annotations['azure.workload.identity/client-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
    expect(deployment.spec.template.metadata.labels['azure.workload.identity/use']).toBe('true')
    // The webhook does not inject a variable the container already lists under env.
    const listed = deployment.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name)
    expect(listed.filter((name: string) => WORKLOAD_IDENTITY_ENV.includes(name))).toEqual([])
  })

  it.each(['Deployment', 'Job'])('give the %s every setting, the secret ones from the Secret only', (kind) => {
    const container = find(objects, kind).spec.template.spec.containers[0]
    const sources = envSources(objects, container)
    const names = [...new Set([...SETTINGS, ...envExampleNames().filter(n => !NOT_FROM_CONFIG.test(n))])]
    expect(names.filter(name => !sources.has(name))).toEqual([])
    for (const name of SECRETS) expect(sources.get(name), name).toBe('secret')
    for (const entry of container.env) {
      if (entry.valueFrom?.secretKeyRef) expect(entry.valueFrom.secretKeyRef).toMatchObject({ name: SECRET_NAME, key: entry.name })
    }
    // Required secrets are required; the ones keyless Azure OpenAI does without are optional.
    const optional = container.env.filter((e: Container) => e.valueFrom?.secretKeyRef?.optional).map((e: Container) => e.name).sort()
    expect(optional).toEqual(['AZURE_CLIENT_SECRET', 'AZURE_OPENAI_API_KEY'])
  })

  it('carry no secret value', () => {
    expect(objects.filter(o => o.kind === 'Secret')).toEqual([])
    const config = find(objects, 'ConfigMap').data as Record<string, string>
    expect(Object.keys(config).filter(key => SECRETS.includes(key))).toEqual([])
    for (const [key, value] of Object.entries(config)) {
      expect(value, key).not.toMatch(/:\/\/[^/\s:@]+:[^/\s@]+@/) // a URL with a password
    }
    for (const { owner, spec } of podTemplates(objects)) {
      for (const entry of spec.containers.flatMap((c: Container) => c.env ?? [])) {
        if (entry.value !== undefined) expect([owner, entry.name]).toEqual([owner, 'MIGRATE_ONLY'])
      }
    }
  })

  it('let nginx stream Server-Sent Events for long answers, over TLS only', () => {
    const ingress = find(objects, 'Ingress', 'assistant')
    const annotations = ingress.metadata.annotations
    expect(annotations['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off')
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600)
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(3600)
    expect(annotations['nginx.ingress.kubernetes.io/proxy-body-size']).toMatch(/^\d+[kmg]?$/i)
    expect(annotations['nginx.ingress.kubernetes.io/force-ssl-redirect']).toBe('true')
    const tlsHosts = ingress.spec.tls.flatMap((t: { hosts: string[] }) => t.hosts)
    for (const rule of ingress.spec.rules) {
      expect(tlsHosts).toContain(rule.host)
      for (const path of rule.http.paths) expect(path.backend.service).toEqual({ name: 'assistant', port: { name: 'http' } })
    }
  })

  it('let in only the ingress controller, and out only DNS, PostgreSQL and HTTPS', () => {
    const policy = find(objects, 'NetworkPolicy', 'assistant')
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress'])
    for (const { labels } of podTemplates(objects)) {
      expect(Object.entries(policy.spec.podSelector.matchLabels).every(([k, v]) => labels[k] === v)).toBe(true)
    }
    expect(policy.spec.ingress).toHaveLength(1)
    expect(policy.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 3000 }])
    expect(policy.spec.ingress[0].from).toEqual([expect.objectContaining({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } })])
    const ports = policy.spec.egress.flatMap((rule: { ports: Array<{ protocol: string, port: number }> }) => rule.ports.map(p => `${p.protocol}/${p.port}`))
    expect(ports.sort()).toEqual(['TCP/443', 'TCP/53', 'TCP/5432', 'UDP/53'])
  })

  it('set MIGRATE_ONLY on the migration Job alone, and nothing local-only anywhere', () => {
    const deployment = find(objects, 'Deployment', 'assistant').spec.template.spec.containers[0]
    const config = find(objects, 'ConfigMap').data as Record<string, string>
    expect(envSources(objects, deployment).has('MIGRATE_ONLY')).toBe(false)
    expect(Object.keys(config).filter(key => NOT_FROM_CONFIG.test(key))).toEqual([])
  })

  it('migrate with the same image and settings as the server, once, then exit', () => {
    const job = find(objects, 'Job', 'assistant-migrate')
    const deployment = find(objects, 'Deployment', 'assistant')
    const migrate = job.spec.template.spec.containers[0]
    const web = deployment.spec.template.spec.containers[0]
    expect(migrate.image).toBe(web.image)
    expect(migrate.command).toEqual(['node', '.output/server/index.mjs'])
    expect(migrate.env.find((e: { name: string }) => e.name === 'MIGRATE_ONLY')?.value).toBe('true')
    expect(migrate.envFrom).toEqual(web.envFrom)
    expect(migrate.env.filter((e: { name: string }) => e.name !== 'MIGRATE_ONLY')).toEqual(web.env)
    expect(job.spec.template.spec.restartPolicy).toBe('Never')
    expect(job.spec.backoffLimit).toBeGreaterThan(0)
    expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0)
  })
})

describe('the example overlay', () => {
  let objects: K8sObject[]
  beforeAll(() => {
    objects = render('overlays/example')
  })

  it('puts everything in its namespace, which enforces the restricted pod security standard', () => {
    const namespace = find(objects, 'Namespace')
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted')
    for (const o of objects.filter(o => o.kind !== 'Namespace')) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(namespace.metadata.name)
  })

  it('runs a pinned image from a registry', () => {
    for (const { owner, spec } of podTemplates(objects)) {
      const image: string = spec.containers[0].image
      expect(image, owner).toMatch(/^[a-z0-9.-]+\.[a-z]+(:\d+)?\/[^:@]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/)
      expect(image, owner).not.toMatch(/:latest$/)
    }
  })

  it('serves the host that AUTH_ORIGIN names', () => {
    const origin = new URL(find(objects, 'ConfigMap').data.AUTH_ORIGIN)
    expect(origin.protocol).toBe('https:')
    const ingress = find(objects, 'Ingress', 'assistant')
    expect(ingress.spec.rules.map((r: { host: string }) => r.host)).toEqual([origin.host])
  })

  it('narrows PostgreSQL egress to the database\'s network', () => {
    const policy = find(objects, 'NetworkPolicy', 'assistant')
    const postgres = policy.spec.egress.find((r: { ports: Array<{ port: number }> }) => r.ports.some(p => p.port === 5432))
    expect(postgres.to?.[0]?.ipBlock?.cidr).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/)
  })

  it('configures a server that starts in production with the Secret and workload identity', () => {
    const config = find(objects, 'ConfigMap').data as Record<string, string>
    const account = find(objects, 'ServiceAccount', 'assistant')
    const env = {
      NODE_ENV: 'production', // the image's ENV
      ...config,
      // What the Secret holds (placeholders) and what the workload identity webhook injects.
      NUXT_AUTH_SECRET: 'x'.repeat(48),
      AZURE_AD_CLIENT_SECRET: 'placeholder',
      DATABASE_URL: 'postgres://assistant:placeholder@db.internal:5432/assistant',
      AZURE_CLIENT_ID: account.metadata.annotations['azure.workload.identity/client-id'],
      AZURE_TENANT_ID: config.AZURE_AD_TENANT_ID,
      AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com/',
      AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token',
    }
    const parsed = parseServerConfig(env)
    expect(parsed.appEnv).toBe('production')
    expect(parsed.azureOpenai.models[0]!.apiKey).toBeUndefined()
    expect(parsed.shutdownGraceSeconds).toBe(Number(config.SHUTDOWN_GRACE_SECONDS))
  })
})

describe('the base alone', () => {
  it('names every required setting it leaves to the overlay, instead of starting half-configured', () => {
    const config = find(render('base'), 'ConfigMap').data as Record<string, string>
    let problems: string[] = []
    try {
      parseServerConfig({ NODE_ENV: 'production', ...config, NUXT_AUTH_SECRET: 'x'.repeat(48), AZURE_AD_CLIENT_SECRET: 'x', DATABASE_URL: 'postgres://db/x' })
    }
    catch (error) {
      if (!(error instanceof ConfigError)) throw error
      problems = error.problems
    }
    expect(problems.join('\n')).toMatch(/AUTH_ORIGIN/)
    expect(problems.join('\n')).toMatch(/AZURE_AD_CLIENT_ID/)
    expect(problems.join('\n')).toMatch(/AZURE_OPENAI_ENDPOINT/)
  })
})

describe('the example Secret', () => {
  it('has the Secret\'s shape and placeholders only', () => {
    const [secret] = parseYaml(readFileSync(join(kubernetesDir, 'examples/secret.example.yaml'), 'utf8'))
    expect(schemaErrors(secret!)).toEqual([])
    expect(secret!.metadata.name).toBe(SECRET_NAME)
    const values = Object.values(secret!.stringData as Record<string, string>)
    expect(values.length).toBeGreaterThan(0)
    for (const value of values) expect(value).toMatch(/^<[^>]+>$/)
  })
})
