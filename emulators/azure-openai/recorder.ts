import { randomUUID } from 'node:crypto'
import type { RecordedRequest } from './types.ts'

// Tests assert on what the emulator saw (auth used, abort timing), so every model call is kept
// in memory until reset; the emulator is short-lived, so no cap is needed.
export interface RequestLog {
  start(method: string, path: string, apiVersion: string | null): RecordedRequest
  list(): RecordedRequest[]
  reset(): void
}

export function createRequestLog(): RequestLog {
  let entries: RecordedRequest[] = []
  return {
    start(method, path, apiVersion) {
      const entry: RecordedRequest = {
        id: randomUUID(),
        method,
        path,
        apiVersion,
        api: null,
        deployment: null,
        auth: 'none',
        stream: false,
        lastUserText: null,
        reasoning: null,
        inputTexts: [],
        status: null,
        aborted: false,
        startedAt: Date.now(),
        endedAt: null,
      }
      entries.push(entry)
      return entry
    },
    list: () => entries.map(e => ({ ...e })),
    reset() {
      entries = []
    },
  }
}
