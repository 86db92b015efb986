import { consola, type ConsolaInstance } from 'consola'

type Level = 'debug' | 'info' | 'warn' | 'error'

/**
 * A tagged logger that follows consola's reporters: consola.withTag() copies them when it is
 * called, so a logger made at module load would miss the JSON reporter that
 * server/plugins/00.logging.ts installs at start-up. The tagged instance is made again only when
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
  const at = (level: Level) => (...args: unknown[]) => current()[level](...args as [unknown])
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}
