import { consola, type LogObject } from 'consola'
import { writesFields } from '../utils/logger'

const levelNames: Record<number, string> = { 0: 'error', 1: 'warn', 2: 'info', 3: 'info', 4: 'debug', 5: 'debug' }

// One JSON object a line in production (what log collectors parse); consola's readable lines in dev.
// Registered first of all server plugins (modules/early-settings.ts), so that a refused start-up
// (server/early/settings.ts) is a JSON line too.
export default defineNitroPlugin(() => {
  if (process.env.NODE_ENV !== 'production' || process.env.LOG_FORMAT === 'pretty') return
  const level = { debug: 4, info: 3, warn: 1, error: 0 }[process.env.LOG_LEVEL || 'info'] ?? 3
  consola.level = level
  // Replaced in place: tagged loggers notice the new reporter and re-make themselves (server/utils/logger.ts).
  consola.options.reporters.splice(0, consola.options.reporters.length, Object.assign({
    log(entry: LogObject) {
      const [first, ...rest] = entry.args
      const fields = typeof first === 'object' && first !== null && !(first instanceof Error) ? first as Record<string, unknown> : undefined
      const message = (fields ? rest : entry.args).map(a => a instanceof Error ? a.message : String(a)).join(' ')
      const line = { time: entry.date.toISOString(), level: levelNames[entry.level] ?? entry.type, ...(entry.tag ? { tag: entry.tag } : {}), msg: message, ...fields }
      const stream = entry.level <= 1 ? process.stderr : process.stdout
      if (entry.level > level) return
      stream.write(`${JSON.stringify(line)}\n`)
    },
  }, { [writesFields]: true }))
})
