import { z } from 'zod'

/** One Azure OpenAI deployment staff can pick, as the server reaches it. */
export interface ModelConfig {
  /** Stable id stored with chats and messages; renaming it orphans their history's label only. */
  id: string
  label: string
  deployment: string
  api: 'responses' | 'chat'
  contextTokens: number
  maxOutputTokens: number
  reasoning?: { effort: 'low' | 'medium' | 'high', summary: boolean }
  /** How much one token of this model counts against the daily quota. */
  costWeight: number
  /** Where it lives: the shared endpoint unless the deployment names its own resource. */
  baseURL?: string
  resourceName?: string
  apiVersion?: string
  /** Unset: keyless (Entra token from the server's identity). */
  apiKey?: string
}

const item = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i, 'must be 1-64 letters, digits, dots, dashes or underscores'),
  label: z.string().trim().min(1, 'must not be empty').max(60, 'must be at most 60 characters'),
  deployment: z.string().trim().min(1, 'must name the Azure deployment'),
  api: z.enum(['responses', 'chat']).default('responses'),
  contextTokens: z.number().int().positive().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  reasoning: z.object({
    effort: z.enum(['low', 'medium', 'high']).default('medium'),
    summary: z.boolean().default(true),
  }).strict().optional(),
  costWeight: z.number().positive('must be above 0').default(1),
  endpoint: z.string().url('must be a URL such as https://contoso-east.openai.azure.com').optional(),
  apiVersion: z.string().trim().min(1).optional(),
  credential: z.enum(['key', 'entra']).optional(),
  apiKeySetting: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the name of an environment variable').optional(),
}).strict()

export type DeploymentItem = z.infer<typeof item>

export interface SharedTarget {
  endpoint?: string
  resourceName?: string
  apiVersion?: string
  apiKey?: string
  contextTokens: number
  maxOutputTokens: number
}

export const baseURLOf = (endpoint: string, apiVersion: string | undefined) => `${endpoint.replace(/\/+$/, '')}/openai${apiVersion ? '' : '/v1'}`

/**
 * Reads AZURE_OPENAI_DEPLOYMENTS (a JSON list). Problems are pushed, each naming the item and
 * field, so that a boot shows them all at once.
 */
export function parseDeployments(text: string, source: string, shared: SharedTarget, env: Record<string, string | undefined>, problems: string[]): ModelConfig[] {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  }
  catch (error) {
    problems.push(`${source} is not valid JSON: ${(error as Error).message}`)
    return []
  }
  const parsed = z.array(item).min(1, 'must list at least one deployment').safeParse(raw)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const at = issue.path.map(p => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')
      problems.push(`${source}${at}: ${issue.message}`)
    }
    return []
  }
  const seen = new Set<string>()
  return parsed.data.map((d, i) => {
    const at = `${source}[${i}]`
    if (seen.has(d.id)) problems.push(`${at}.id: "${d.id}" is used twice`)
    seen.add(d.id)
    if (!d.endpoint && !shared.endpoint && !shared.resourceName) {
      problems.push(`${at}.endpoint: needed when AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_RESOURCE_NAME are unset`)
    }
    if (d.reasoning && d.api !== 'responses') problems.push(`${at}.reasoning: needs "api": "responses" (the reasoning summary comes only from the Responses API)`)
    const key = d.apiKeySetting ? env[d.apiKeySetting]?.trim() || undefined : shared.apiKey
    if (d.apiKeySetting && !key) problems.push(`${at}.apiKeySetting: ${d.apiKeySetting} is not set`)
    if (d.credential === 'key' && !key) problems.push(`${at}.credential: "key" needs AZURE_OPENAI_API_KEY or apiKeySetting`)
    const endpoint = d.endpoint ?? shared.endpoint
    const apiVersion = d.apiVersion ?? shared.apiVersion
    return {
      id: d.id,
      label: d.label,
      deployment: d.deployment,
      api: d.api,
      contextTokens: d.contextTokens ?? shared.contextTokens,
      maxOutputTokens: d.maxOutputTokens ?? shared.maxOutputTokens,
      reasoning: d.reasoning,
      costWeight: d.costWeight,
      baseURL: endpoint ? baseURLOf(endpoint, apiVersion) : undefined,
      resourceName: d.endpoint ? undefined : shared.resourceName,
      apiVersion,
      apiKey: d.credential === 'entra' ? undefined : key,
    }
  })
}
