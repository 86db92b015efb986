import { computed } from 'vue'

const PAGE_SIZE = 30

interface ChatListState {
  chats: ChatSummary[]
  nextCursor: string | null
  query: string
  loaded: boolean
}

/**
 * My conversations for the sidebar: loaded page by page, searched by title, renamed and deleted
 * optimistically (rolled back with a toast when the server says no).
 */
export function useChats() {
  const api = useApi()
  const toast = useToast()
  const { t } = useI18n()
  const state = useState<ChatListState>('chats', () => ({ chats: [], nextCursor: null, query: '', loaded: false }))
  const loading = useState('chats:loading', () => false)
  // Which search a response belongs to, so a slow old answer never overwrites a newer one.
  const generation = useState('chats:generation', () => 0)

  const hasMore = computed(() => state.value.nextCursor !== null)
  const groups = computed(() => groupChatsByDate(state.value.chats))

  async function fetchPage(cursor: string | null) {
    const query: Record<string, string | number> = { limit: PAGE_SIZE }
    if (cursor) query.cursor = cursor
    if (state.value.query) query.q = state.value.query
    return api<ChatPage>('/api/chats', { query })
  }

  /** The first page (again), e.g. on start or after the search changed. */
  async function refresh() {
    const mine = ++generation.value
    loading.value = true
    try {
      const page = await fetchPage(null)
      if (mine !== generation.value) return
      state.value = { ...state.value, chats: page.chats, nextCursor: page.nextCursor, loaded: true }
    }
    catch (error) {
      if (mine === generation.value) notify(t('chat.sidebar.loadFailed'), error)
    }
    finally {
      if (mine === generation.value) loading.value = false
    }
  }

  async function loadMore() {
    if (loading.value || !hasMore.value) return
    const mine = generation.value
    loading.value = true
    try {
      const page = await fetchPage(state.value.nextCursor)
      if (mine !== generation.value) return
      const known = new Set(state.value.chats.map(c => c.id))
      state.value = {
        ...state.value,
        chats: [...state.value.chats, ...page.chats.filter(c => !known.has(c.id))],
        nextCursor: page.nextCursor,
      }
    }
    catch (error) {
      notify(t('chat.sidebar.loadMoreFailed'), error)
    }
    finally {
      if (mine === generation.value) loading.value = false
    }
  }

  async function search(query: string) {
    const q = query.trim()
    if (q === state.value.query && state.value.loaded) return
    state.value = { ...state.value, query: q }
    await refresh()
  }

  async function rename(id: string, title: string) {
    const next = title.trim()
    const before = state.value.chats
    const chat = before.find(c => c.id === id)
    if (!chat || !next || next === chat.title) return
    state.value = { ...state.value, chats: before.map(c => (c.id === id ? { ...c, title: next } : c)) }
    try {
      const saved = await api<{ id: string, title: string }>(`/api/chats/${id}`, { method: 'PATCH', body: { title: next } })
      upsert({ id, title: saved.title })
    }
    catch (error) {
      state.value = { ...state.value, chats: restore(state.value.chats, before, id) }
      notify(t('chat.sidebar.renameFailed'), error)
    }
  }

  async function remove(id: string): Promise<boolean> {
    const before = state.value.chats
    state.value = { ...state.value, chats: before.filter(c => c.id !== id) }
    try {
      await api(`/api/chats/${id}`, { method: 'DELETE' })
      return true
    }
    catch (error) {
      // Already gone is what we wanted.
      if ((error as { response?: Response }).response?.status === 404) return true
      state.value = { ...state.value, chats: restore(state.value.chats, before, id) }
      notify(t('chat.sidebar.deleteFailed'), error)
      return false
    }
  }

  /** A chat created or answered here: put it (back) at the top without asking the server. */
  function upsert(chat: Partial<ChatSummary> & { id: string }, options: { touch?: boolean } = {}) {
    const existing = state.value.chats.find(c => c.id === chat.id)
    const now = new Date().toISOString()
    const merged: ChatSummary = {
      title: t('chat.newChat'),
      createdAt: now,
      updatedAt: now,
      ...existing,
      ...chat,
      ...(options.touch ? { updatedAt: now } : {}),
    }
    // A search shows only matching titles; a new chat appears once the search is cleared.
    if (!existing && state.value.query && !merged.title.toLowerCase().includes(state.value.query.toLowerCase())) return
    const others = state.value.chats.filter(c => c.id !== chat.id)
    const chats = options.touch || !existing
      ? [merged, ...others]
      : state.value.chats.map(c => (c.id === chat.id ? merged : c))
    state.value = { ...state.value, chats }
  }

  function find(id: string | undefined) {
    return id ? state.value.chats.find(c => c.id === id) : undefined
  }

  /** A chat's title for its page, from the list when it holds the chat, else from the server. */
  async function titleOf(id: string): Promise<string> {
    const listed = find(id)?.title
    if (listed || !isUuid(id)) return chatPageTitle(listed, true, t)
    return api<ChatSummary>(`/api/chats/${id}`).then(chat => chatPageTitle(chat.title, false, t), () => chatPageTitle(undefined, true, t))
  }

  function notify(title: string, error: unknown) {
    const problem = apiProblem(error)
    if (problem.kind === 'session') return
    toast.add({ title, description: problemText(problem, t), color: 'error', icon: 'i-lucide-circle-alert' })
  }

  return { state, loading, hasMore, groups, refresh, loadMore, search, rename, remove, upsert, find, titleOf }
}

/** Puts one chat back as it was in `before`, keeping whatever else changed meanwhile. */
function restore(current: ChatSummary[], before: ChatSummary[], id: string): ChatSummary[] {
  const original = before.find(c => c.id === id)
  if (!original) return current
  const without = current.filter(c => c.id !== id)
  const index = before.findIndex(c => c.id === id)
  const result = [...without]
  result.splice(Math.min(index, result.length), 0, original)
  return result
}
