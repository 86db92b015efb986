import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { baseCompile } from '@intlify/message-compiler'
import { describe, expect, it } from 'vitest'
import { LOCALE_CODES } from '../../shared/locales'
import { partMessages } from '../support/locales'

// Every locale carries every key of the English one, with the same placeholders and plural
// forms, in messages vue-i18n can compile; and every key the code names exists.
const root = join(import.meta.dirname, '../..')
const localeDir = join(root, 'i18n/locales')
const parts = readdirSync(join(localeDir, 'en')).filter(f => f.endsWith('.json')).map(f => f.replace(/\.json$/, ''))

const messages = partMessages

/** Named placeholders and the number of plural forms: what a translation must keep. */
function shape(message: string) {
  const names = [...message.matchAll(/\{\s*(\w+)\s*\}/g)].map(m => m[1]).sort()
  return { placeholders: [...new Set(names)], forms: message.split(/(?<!\{')\|(?!'\})/).length }
}

function compileErrors(message: string): string[] {
  const errors: string[] = []
  baseCompile(message, { onError: e => errors.push(e.message), mode: 'normal' })
  return errors
}

describe('locale messages', () => {
  it('has the same parts in every language', () => {
    for (const code of LOCALE_CODES) {
      expect(readdirSync(join(localeDir, code)).filter(f => f.endsWith('.json')).map(f => f.replace(/\.json$/, '')).sort(), code).toEqual([...parts].sort())
    }
  })

  for (const part of parts) {
    it(`${part}: every language has every key, with its placeholders and plural forms`, () => {
      const en = messages('en', part)
      expect(en.size, `en/${part}.json is empty`).toBeGreaterThan(0)
      for (const key of en.keys()) expect(key.split('.')[0], `en/${part}.json: ${key} must sit under "${part}"`).toBe(part)
      for (const code of LOCALE_CODES.filter(c => c !== 'en')) {
        const other = messages(code, part)
        expect([...en.keys()].filter(k => !other.has(k)), `missing in ${code}/${part}.json`).toEqual([])
        expect([...other.keys()].filter(k => !en.has(k)), `unknown in ${code}/${part}.json (not in en)`).toEqual([])
        for (const [key, text] of en) {
          expect(shape(other.get(key)!), `${code}: ${key}`).toEqual(shape(text))
        }
      }
    })

    it(`${part}: every message compiles (no stray @, | or braces)`, () => {
      for (const code of LOCALE_CODES) {
        for (const [key, text] of messages(code, part)) expect(compileErrors(text), `${code}: ${key}`).toEqual([])
      }
    })
  }

  it('holds every key the app names', () => {
    const en = new Set(parts.flatMap(p => [...messages('en', p).keys()]))
    const sources = ['app.vue', 'error.vue', 'components', 'composables', 'layouts', 'pages', 'utils', 'middleware']
      .flatMap(entry => files(join(root, entry)))
    const named = new Map<string, string>()
    // t('a.b'), $t("a.b"), keypath="a.b": keys written out whole (built keys are checked by their tests).
    const pattern = /(?:\$t|\bt|\btc|\bte)\(\s*['"]([\w.-]+)['"]|keypath=["']([\w.-]+)["']/g
    for (const file of sources) {
      for (const m of readFileSync(file, 'utf8').matchAll(pattern)) named.set(m[1] ?? m[2]!, file.slice(root.length + 1))
    }
    expect(named.size).toBeGreaterThan(50)
    expect([...named].filter(([key]) => !en.has(key)).map(([key, file]) => `${key} (${file})`)).toEqual([])
  })
})

function files(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true }).flatMap(d => d.isDirectory() ? files(join(path, d.name)) : /\.(vue|ts)$/.test(d.name) ? [join(path, d.name)] : [])
  }
  catch {
    return path.endsWith('.vue') ? [path] : []
  }
}
