export interface AzureOpenAIEmulatorOptions {
  port?: number
  host?: string
  deployments?: string[]
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
  status: number | null
  aborted: boolean
  startedAt: number
  endedAt: number | null
}
