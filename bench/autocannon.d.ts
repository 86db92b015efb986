// The subset of autocannon's API the bench uses (the package ships no types).
declare module 'autocannon' {
  interface Histogram { average: number, mean: number, max: number, min: number, total: number, p50: number, p90: number, p97_5: number, p99: number }
  interface Options {
    url: string
    connections?: number
    duration?: number
    amount?: number
    pipelining?: number
    method?: string
    headers?: Record<string, string>
    body?: string
  }
  interface Result {
    'requests': Histogram
    'latency': Histogram
    'throughput': Histogram
    'non2xx': number
    'errors': number
    'timeouts': number
    '2xx': number
  }
  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
