import { consola } from 'consola'

type Level = 'debug' | 'info' | 'warn' | 'error'

/**
 * A tagged logger that reads consola's reporters at call time: consola.withTag() copies them
 * when it is called, so loggers made at module load would miss the JSON reporter that
 * server/plugins/00.logging.ts installs at start-up.
 */
export function taggedLogger(tag: string): Record<Level, (...args: unknown[]) => void> {
  const at = (level: Level) => (...args: unknown[]) => consola.withTag(tag)[level](...args as [unknown])
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}
