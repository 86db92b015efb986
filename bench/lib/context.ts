import type { AppServer, BenchDatabase, HttpClient, OpenAIEmulatorProcess, PeerServer } from './stack.ts'
import type { Row } from './stats.ts'

export interface BenchContext {
  quick: boolean
  app: AppServer
  emulator: OpenAIEmulatorProcess
  /** The peer baseline: a bare node:http server with the AI SDK (bench/peer-server.ts). */
  peer: PeerServer
  db: BenchDatabase
  /** The signed-in bench user (Megan) and her Cookie header. */
  client: HttpClient
  cookie: string
  userOid: string
  rows: Row[]
  /** Everything else worth keeping in results.json, by scenario. */
  details: Record<string, unknown>
  log(message: string): void
}

export const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** Median of a few RSS samples after the process had a moment to settle. */
export async function settledRss(app: Pick<AppServer, 'rss'>, settleMs = 3000, samples = 5): Promise<number> {
  await sleep(settleMs)
  const values: number[] = []
  for (let i = 0; i < samples; i++) {
    values.push(app.rss())
    await sleep(200)
  }
  return values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!
}
