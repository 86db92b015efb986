import type { ControlSignal, TurnSignal } from './turn-store'

const logger = taggedLogger('chat')

/**
 * PostgreSQL's LISTEN/NOTIFY as the bus between replicas: no Redis to run, and a signal sent in
 * the statement that writes a row arrives only once that row can be read. Resolves once LISTEN is
 * in place, so a signal sent after that is never missed; the function it returns stops listening.
 */
export async function subscribe<T extends TurnSignal | ControlSignal>(channel: string, onSignal: (signal: T) => void): Promise<() => void> {
  const stop = await listenToDb(channel, (payload) => {
    let signal: T
    try {
      signal = JSON.parse(payload) as T
    }
    catch {
      logger.warn(`Ignored a malformed signal on ${channel}`)
      return
    }
    onSignal(signal)
  })
  return () => {
    stop().catch((error: unknown) => logger.warn(`Could not stop listening on ${channel}: ${(error as Error).message}`))
  }
}

/**
 * A subscription read as a queue: `next(ms)` gives the next signal, or undefined when none came
 * within `ms` or `close()` was called.
 */
export async function signalQueue<T extends TurnSignal | ControlSignal>(channel: string) {
  const queued: T[] = []
  let wake: (() => void) | undefined
  let closed = false
  const unsubscribe = await subscribe<T>(channel, (signal) => {
    queued.push(signal)
    wake?.()
  })
  return {
    async next(ms: number): Promise<T | undefined> {
      if (!queued.length && !closed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms)
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        wake = undefined
      }
      return closed ? undefined : queued.shift()
    },
    close() {
      if (closed) return
      closed = true
      wake?.()
      unsubscribe()
    },
  }
}
