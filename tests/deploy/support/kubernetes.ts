import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import ts from 'typescript'
import { parseAllDocuments } from 'yaml'
import { Namespace, Secret, Service, ServiceAccount, ConfigMap } from 'kubernetes-models/v1'
import { Deployment } from 'kubernetes-models/apps/v1'
import { Job } from 'kubernetes-models/batch/v1'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1'
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1'
import { repoRoot } from './dockerfile'

export const kubernetesDir = join(repoRoot, 'deploy/kubernetes')

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are read loosely
export type K8sObject = { apiVersion: string, kind: string, metadata: { name: string, namespace?: string, [key: string]: any }, [key: string]: any }

/**
 * The kustomize to render with: a standalone `kustomize`, else the one built into `kubectl`
 * (Google's kubectl package on this machine image embeds kustomize v5). Debian's
 * kubernetes-client 1.20 embeds kustomize 2, too old for `labels` and `patches`: refused.
 */
export function kustomize(): { command: string[], version: string } {
  const run = (file: string, args: string[]) => {
    try {
      return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    }
    catch {
      return undefined
    }
  }
  const standalone = run('kustomize', ['version'])
  if (standalone) return { command: ['kustomize', 'build'], version: standalone.trim() }
  const kubectl = run('kubectl', ['version', '--client', '-o', 'json'])
  const version = kubectl ? (JSON.parse(kubectl) as { kustomizeVersion?: string }).kustomizeVersion : undefined
  if (!version) throw new Error('No kustomize: install kustomize v5+ or kubectl 1.27+ (which embeds it)')
  if (Number(/^v?(\d+)/.exec(version)?.[1]) < 5) throw new Error(`kubectl embeds kustomize ${version}; v5 or later is needed`)
  return { command: ['kubectl', 'kustomize'], version }
}

/** `kustomize build` of a folder of deploy/kubernetes, as objects. */
export function render(relativeDir: string): K8sObject[] {
  const [file, ...args] = kustomize().command
  const yaml = execFileSync(file!, [...args, join(kubernetesDir, relativeDir)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })
  return parseYaml(yaml)
}

export function parseYaml(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length) throw new Error(doc.errors.map(e => e.message).join('\n'))
    return doc.toJS() as K8sObject
  }).filter(Boolean)
}

// The kinds these manifests use, each with its class from kubernetes-models, whose validate()
// checks an object against the Kubernetes OpenAPI schema bundled in the package (no download).
const models = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
} as const

export type KnownKind = keyof typeof models

/** Schema problems of one object, as `path: message` lines (empty when valid). */
export function schemaErrors(object: K8sObject): string[] {
  const model = models[`${object.apiVersion}/${object.kind}` as KnownKind]
  if (!model) return [`no schema for ${object.apiVersion} ${object.kind} (add its kubernetes-models class)`]
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each class takes its own shape
    new model(object as any).validate()
    return []
  }
  catch (error) {
    const errors = (error as { errors?: Array<{ instancePath: string, message?: string }> }).errors
    return errors?.map(e => `${e.instancePath || '/'}: ${e.message}`) ?? [String(error)]
  }
}

/**
 * Fields the Kubernetes API does not know (a typo such as `readonlyRootFilesystem` passes the
 * JSON schema, which allows extra properties, and the API server would silently drop it).
 * Checked by TypeScript's excess-property check against kubernetes-models' types, which are
 * generated from the same OpenAPI definitions.
 */
export function unknownFields(objects: K8sObject[]): string[] {
  const file = join(repoRoot, 'tests/deploy/__rendered_manifests__.ts')
  const lines: string[] = []
  const owners: Array<{ from: number, label: string }> = []
  objects.forEach((object, i) => {
    const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion]
    const module = ['kubernetes-models', group, version, object.kind].filter(Boolean).join('/')
    owners.push({ from: lines.length, label: `${object.kind}/${object.metadata.name}` })
    lines.push(`import type { I${object.kind} as T${i} } from '${module}'`)
    lines.push(...`export const o${i}: T${i} = ${JSON.stringify(object, null, 2)}`.split('\n'))
  })
  const source = lines.join('\n')
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    skipLibCheck: true,
    types: [],
  }
  const host = ts.createCompilerHost(options)
  const { getSourceFile, fileExists, readFile } = host
  host.getSourceFile = (name, language, ...rest) => name === file ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest)
  host.fileExists = name => name === file || fileExists(name)
  host.readFile = name => name === file ? source : readFile(name)
  const program = ts.createProgram({ rootNames: [file], options, host })
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0
    const owner = owners.filter(o => o.from <= line).at(-1)?.label ?? '?'
    return `${owner}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`
  })
}

export function find(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.find(o => o.kind === kind && (name === undefined || o.metadata.name === name))
  if (!found) throw new Error(`No ${kind}${name ? ` named ${name}` : ''} in the rendered manifests`)
  return found
}

/** The pod templates of the workloads (Deployment, Job), with their owner's name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are read loosely
export function podTemplates(objects: K8sObject[]): Array<{ owner: string, spec: any, labels: Record<string, string> }> {
  return objects
    .filter(o => o.kind === 'Deployment' || o.kind === 'Job')
    .map(o => ({ owner: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec, labels: o.spec.template.metadata?.labels ?? {} }))
}
