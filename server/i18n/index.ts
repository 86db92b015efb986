import { isLocaleCode, LOCALES, type LocaleCode } from '../../shared/locales'
import { de } from './de'
import { en, type MessageKey, type Messages } from './en'
import { fr } from './fr'

// Plain functions without Nitro, so that unit tests can import them; server/utils/i18n.ts adds the request.

export type { MessageKey, Messages }

export const serverMessages: Record<LocaleCode, Messages> = { en, de, fr }

type Placeholders<S> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never

/** The values a sentence's {placeholders} take, named after the English sentence's. */
export type MessageParams<K extends MessageKey> = Record<Placeholders<typeof en[K]>, string | number>

export function translate<K extends MessageKey>(locale: LocaleCode, key: K, params?: MessageParams<K>): string {
  const template: string = serverMessages[locale][key]
  if (!params) return template
  const values = params as Record<string, string | number>
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => name in values ? String(values[name]) : whole)
}

/** The best language of an Accept-Language header (q-values honoured, `de-CH` is German), if any is ours. */
export function localeFromAcceptLanguage(header: string | undefined): LocaleCode | undefined {
  if (!header) return undefined
  const ranked = header.split(',').map((range) => {
    const [tag = '', ...parameters] = range.split(';').map(part => part.trim())
    const q = parameters.find(p => /^q=/i.test(p))
    return { language: tag.toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q.slice(2)) }
  }).filter(r => r.q > 0)
  // sort() is stable: among equal q-values the header's order decides.
  return ranked.sort((a, b) => b.q - a.q).map(r => r.language).find(isLocaleCode)
}

/** A number as the language writes it, e.g. 20,000 / 20.000 / 20 000. */
export function formatNumber(value: number, locale: LocaleCode, options?: Intl.NumberFormatOptions): string {
  return value.toLocaleString(LOCALES.find(l => l.code === locale)!.language, options)
}
