/** The languages the app is written in; the first is the default and the fallback. */
export const LOCALES = [
  { code: 'en', language: 'en-GB', name: 'English', modelName: 'English' },
  { code: 'de', language: 'de-DE', name: 'Deutsch', modelName: 'German' },
  { code: 'fr', language: 'fr-FR', name: 'Français', modelName: 'French' },
] as const

export type LocaleCode = typeof LOCALES[number]['code']

export const LOCALE_CODES = LOCALES.map(l => l.code) as [LocaleCode, ...LocaleCode[]]

/** Holds the reader's choice; the server reads it too, before Accept-Language. */
export const LOCALE_COOKIE = 'locale'

export function isLocaleCode(value: unknown): value is LocaleCode {
  return LOCALE_CODES.includes(value as LocaleCode)
}
