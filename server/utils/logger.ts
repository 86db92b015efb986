import { consola, type ConsolaInstance } from 'consola'

type Level = 'debug' | 'info' | 'warn' | 'error'

/**
 * A tagged logger that follows consola's reporters: consola.withTag() copies them when it is
 * called, so a logger made at module load would miss the JSON reporter that
 * server/early/logging.ts installs at start-up. The tagged instance is made again only when
 * the reporters changed: withTag on every line showed in the benchmark's CPU profiles.
 */
export function taggedLogger(tag: string): Record<Level, (...args: unknown[]) => void> {
  let instance: ConsolaInstance | undefined
  let madeWith: unknown
  const current = () => {
    const reporter = consola.options.reporters[0]
    if (!instance || madeWith !== reporter) {
      instance = consola.withTag(tag)
      madeWith = reporter
    }
    return instance
  }
  const at = (level: Level) => (...args: unknown[]) => {
    const instance = current()
    if (isFields(args[0]) && !(consola.options.reporters[0] as unknown as Record<symbol, unknown> | undefined)?.[writesFields]) {
      instance[level](oneLine(args[0], args.slice(1)))
    }
    else instance[level](...args as [unknown])
  }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** Marks a reporter that writes a leading fields object itself (the JSON lines of production). */
export const writesFields = Symbol.for('assistant.log.writesFields')

function isFields(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Error) && !Array.isArray(value)
}

/**
 * Readable logs (dev, LOG_FORMAT=pretty) get one line per event: consola would print the fields
 * as a multi-line object under every request. Fields the message already shows are left out.
 */
function oneLine(fields: Record<string, unknown>, rest: unknown[]): string {
  const message = rest.map(a => (a instanceof Error ? a.message : String(a))).join(' ')
  const words = new Set(message.split(/\s+/))
  const extra = Object.entries(fields)
    .filter(([, value]) => value !== undefined && !words.has(String(value)))
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
  return [message, ...extra].join(' ')
}
