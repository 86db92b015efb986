import { LOCALES, type LocaleCode } from '~~/shared/locales'
import type { CurrentUser } from './useCurrentUser'

/**
 * The reader's language: picked in the account menu, applied at once (a cookie the server reads
 * too) and kept in the profile, so that another device or browser opens in it as well.
 */
export function useLanguage() {
  const { locale, setLocale } = useI18n()
  const api = useApi()
  const me = useNuxtData<CurrentUser>('me')

  async function choose(code: LocaleCode) {
    await setLocale(code)
    if (me.data.value) me.data.value = { ...me.data.value, locale: code }
    // Saved after it applies: if the save fails the choice still holds on this device.
    await api('/api/me', { method: 'PATCH', body: { locale: code } }).catch(() => {})
  }

  return { locale, locales: LOCALES, choose }
}
