import { computed } from 'vue'

export interface CurrentUser {
  id: string
  name: string | null
  email: string | null
  roles: string[]
  /** URL of the Entra profile photo; null: show initials. */
  photo: string | null
  emulated: { entra: boolean, openai: boolean }
  limits: { maxMessageChars: number }
}

/** The signed-in person as the header shows them, and whether the app runs on local emulators. */
export async function useCurrentUser() {
  const api = useApi()
  const { data } = await useAsyncData('me', () => api<CurrentUser>('/api/me'), { dedupe: 'defer' })
  const user = computed(() => data.value ?? null)
  const emulators = computed(() => {
    const e = data.value?.emulated
    return [e?.entra && 'Microsoft Entra ID', e?.openai && 'Azure OpenAI'].filter((s): s is string => !!s)
  })
  return { user, emulators }
}
