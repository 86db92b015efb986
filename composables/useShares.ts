import { computed } from 'vue'

/** The links of one of my chats: list, create, revoke. Types come from the routes. */
export async function useChatShares(chatId: string) {
  const api = useApi()
  const toast = useToast()
  const { t } = useI18n()
  const { data, error, refresh } = await useAsyncData(`chat-shares-${chatId}`, () => api(`/api/chats/${chatId}/shares`))
  const shares = computed(() => data.value?.shares ?? [])

  async function create(mode: 'snapshot' | 'live') {
    try {
      await api(`/api/chats/${chatId}/shares`, { method: 'POST', body: { mode } })
      await refresh()
    }
    catch (e) {
      toast.add({ title: t('share.createFailed'), description: problemText(apiProblem(e), t), color: 'error' })
    }
  }

  async function revoke(shareId: string) {
    try {
      await api(`/api/chats/${chatId}/shares/${shareId}`, { method: 'DELETE' })
      await refresh()
    }
    catch (e) {
      toast.add({ title: t('share.revokeFailed'), description: problemText(apiProblem(e), t), color: 'error' })
    }
  }

  return { shares, notFound: computed(() => error.value?.statusCode === 404), error, create, revoke }
}

/** A chat someone shared with me, read-only, and "Continue in a new chat". */
export async function useSharedChat(shareId: string) {
  const api = useApi()
  const toast = useToast()
  const { t } = useI18n()
  const { data, error } = await useAsyncData(`shared-${shareId}`, () => api(`/api/shared/${shareId}`))

  async function continueInNewChat() {
    try {
      const copy = await api(`/api/shared/${shareId}/copy`, { method: 'POST' })
      // A full load, so the sidebar lists the new chat (its list lives in the layout).
      await navigateTo(`/chat/${copy.id}`, { external: true })
    }
    catch (e) {
      toast.add({ title: t('share.shared.continueFailed'), description: problemText(apiProblem(e), t), color: 'error' })
    }
  }

  return {
    shared: data,
    // Text parts only: a shared chat shows what was said, not a model's reasoning summary.
    messages: computed(() => (data.value?.messages ?? []).map(m => ({
      id: m.id,
      role: m.role,
      status: m.status,
      text: Array.isArray(m.parts) ? (m.parts as Array<{ type: string, text?: string }>).filter(p => p.type === 'text').map(p => p.text ?? '').join('') : '',
    }))),
    notFound: computed(() => error.value?.statusCode === 404),
    error,
    continueInNewChat,
  }
}
