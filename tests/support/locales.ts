import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const localeDir = join(import.meta.dirname, '../../i18n/locales')

type Tree = { [key: string]: string | Tree }

function flatten(tree: Tree, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else flatten(value, path, out)
  }
  return out
}

/** The messages of one part (a file, e.g. chat) of one language, by their full key. */
export function partMessages(code: string, part: string): Map<string, string> {
  return flatten(JSON.parse(readFileSync(join(localeDir, code, `${part}.json`), 'utf8')))
}

/** All messages of one language, by their full key (e.g. common.newChat). */
export function localeMessages(code: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const file of readdirSync(join(localeDir, code)).filter(f => f.endsWith('.json'))) {
    flatten(JSON.parse(readFileSync(join(localeDir, code, file), 'utf8')), '', out)
  }
  return out
}

/** One message, as a person reads it (vue-i18n's escapes undone), for a given plural form. */
export function message(code: string, key: string, params: Record<string, string | number> = {}, form = 0): string {
  const text = localeMessages(code).get(key)
  if (text === undefined) throw new Error(`No message ${key} in ${code}`)
  const forms = text.split('|').map(s => s.trim())
  return (forms[Math.min(form, forms.length - 1)] ?? text)
    .replace(/\{'(.)'\}/g, '$1')
    .replace(/\{\s*(\w+)\s*\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
}
