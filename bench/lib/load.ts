// autocannon for request-rate scenarios: a fixed number of keep-alive connections hammering one
// URL for a fixed time.
import autocannon from 'autocannon'

export interface LoadResult {
  url: string
  /** Mean requests per second over the run. */
  rps: number
  requests: number
  non2xx: number
  errors: number
  timeouts: number
  latency: { p50: number, p90: number, p97_5: number, p99: number, mean: number, max: number }
}

export async function load(url: string, options: { connections: number, seconds: number, headers?: Record<string, string> }): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    headers: options.headers ?? {},
    pipelining: 1,
  })
  const l = result.latency
  return {
    url,
    rps: result.requests.average,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latency: { p50: l.p50, p90: l.p90, p97_5: l.p97_5, p99: l.p99, mean: l.average, max: l.max },
  }
}
