/** A deployment by name, or with what sets it apart. */
export interface EmulatedDeployment {
  name: string
  /** A reasoning model: refuses sampling parameters and streams a reasoning summary first. */
  reasoning?: boolean
  /** Its own key (as a deployment on another resource would have); the shared key is refused. */
  apiKey?: string
}

export interface AzureOpenAIEmulatorOptions {
  port?: number
  host?: string
  deployments?: Array<string | EmulatedDeployment>
  /** Deployments answering /embeddings; default: text-embedding-3-small. */
  embeddingDeployments?: string[]
  apiKey?: string
  entra?: { jwksUrl: string, issuerPrefix: string }
  chunkDelayMs?: number
}

export interface AzureOpenAIEmulator {
  url: string
  close(): Promise<void>
}

export type AuthKind = 'api-key' | 'bearer' | 'none'

export type ApiKind = 'responses' | 'chat.completions'

export interface RecordedRequest {
  id: string
  method: string
  path: string
  apiVersion: string | null
  api: ApiKind | null
  deployment: string | null
  auth: AuthKind
  stream: boolean
  lastUserText: string | null
  /** `reasoning.effort` and `reasoning.summary` as sent (Responses API), else null. */
  reasoning: { effort: string | null, summary: string | null } | null
  /** Every message text the request carried, system prompt first, in order. */
  inputTexts: string[]
  status: number | null
  aborted: boolean
  startedAt: number
  endedAt: number | null
}
