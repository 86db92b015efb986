import type { H3Event } from 'h3'
import { isLocaleCode, LOCALE_COOKIE, type LocaleCode } from '../../shared/locales'
import { formatNumber, localeFromAcceptLanguage, translate, type MessageKey, type MessageParams } from '../i18n'

/** The reader's language: their choice (the locale cookie), else their browser's, else English. */
export function requestLocale(event: H3Event): LocaleCode {
  const chosen = getCookie(event, LOCALE_COOKIE)
  if (isLocaleCode(chosen)) return chosen
  return localeFromAcceptLanguage(getRequestHeader(event, 'accept-language')) ?? 'en'
}

function eventInContext(): H3Event | undefined {
  try {
    // Nitro's async context (nitro.experimental.asyncContext): deep helpers need no event passed.
    return useEvent()
  }
  catch {
    return undefined
  }
}

/**
 * A sentence for the person behind `event` (default: the current request), in their language;
 * English outside a request (start-up, scheduled tasks). The response says which language it is in.
 */
export function say<K extends MessageKey>(key: K, params?: MessageParams<K>, event: H3Event | undefined = eventInContext()): string {
  const locale = event ? requestLocale(event) : 'en'
  if (event && !event.node.res.headersSent) setResponseHeader(event, 'Content-Language', locale)
  return translate(locale, key, params)
}

/** A number as the reader's language writes it (20,000 / 20.000 / 20 000). */
export function localNumber(value: number, event: H3Event | undefined = eventInContext(), options?: Intl.NumberFormatOptions): string {
  return formatNumber(value, event ? requestLocale(event) : 'en', options)
}
