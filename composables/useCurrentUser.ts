import type { LocaleCode } from '~~/shared/locales'
import { computed } from 'vue'

export interface CurrentUser {
  id: string
  name: string | null
  email: string | null
  /** The language picked in the account menu; null: the browser's decides. */
  locale: LocaleCode | null
  roles: string[]
  /** URL of the Entra profile photo; null: show initials. */
  photo: string | null
  emulated: { entra: boolean, openai: boolean }
  limits: { maxMessageChars: number }
}

/** The signed-in person as the header shows them, and whether the app runs on local emulators. */
export async function useCurrentUser() {
  const api = useApi()
  // Taken before the await: a composable loses Nuxt's context after it.
  const i18n = useNuxtApp().$i18n
  const { data } = await useAsyncData('me', () => api<CurrentUser>('/api/me'), { dedupe: 'defer' })
  // The language kept in the profile wins over this browser's: a new device opens in it too.
  const saved = data.value?.locale
  if (saved && saved !== i18n.locale.value) await i18n.setLocale(saved)
  const user = computed(() => data.value ?? null)
  const emulators = computed(() => {
    const e = data.value?.emulated
    return [e?.entra && 'Microsoft Entra ID', e?.openai && 'Azure OpenAI'].filter((s): s is string => !!s)
  })
  return { user, emulators }
}
