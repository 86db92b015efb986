import type { ApiKind } from './types.ts'

export type Route
  = | { kind: 'model', api: ApiKind, deployment: string | null, needsApiVersion: boolean }
    | { kind: 'control', action: 'requests' | 'reset' }
    | { kind: 'embeddings', deployment: string | null, needsApiVersion: boolean }

const operations = '(responses|chat/completions)'
const v1 = new RegExp(`^/openai/v1/${operations}$`)
// @ai-sdk/azure only inserts `/v1` for *.azure.com hosts; accepting the bare form lets the same
// `baseURL: '{host}/openai'` setting work against both Azure and the emulator.
const unversioned = new RegExp(`^/openai/${operations}$`)
const deploymentBased = new RegExp(`^/openai/deployments/([^/]+)/${operations}$`)

const apiOf = (op: string): ApiKind => (op === 'responses' ? 'responses' : 'chat.completions')

export function matchRoute(method: string, pathname: string): Route | null {
  if (pathname === '/_emulator/requests' && method === 'GET') return { kind: 'control', action: 'requests' }
  if (pathname === '/_emulator/reset' && method === 'POST') return { kind: 'control', action: 'reset' }
  if (method !== 'POST') return null
  const embeddings = /^\/openai\/(?:v1\/)?embeddings$/.exec(pathname)
  if (embeddings) return { kind: 'embeddings', deployment: null, needsApiVersion: false }
  const deploymentEmbeddings = /^\/openai\/deployments\/([^/]+)\/embeddings$/.exec(pathname)
  if (deploymentEmbeddings) return { kind: 'embeddings', deployment: decodeURIComponent(deploymentEmbeddings[1]!), needsApiVersion: true }
  let m = v1.exec(pathname) ?? unversioned.exec(pathname)
  if (m) return { kind: 'model', api: apiOf(m[1]), deployment: null, needsApiVersion: false }
  m = deploymentBased.exec(pathname)
  if (m) return { kind: 'model', api: apiOf(m[2]), deployment: decodeURIComponent(m[1]), needsApiVersion: true }
  return null
}
