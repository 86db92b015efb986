import type { ChatStatus } from 'ai'
import type { useChat as UseChat } from '@ai-sdk/vue'
import { computed, effectScope, getCurrentInstance, onMounted, onScopeDispose, ref, shallowRef } from 'vue'
import type { EffectScope, ShallowRef } from 'vue'

type ChatHelpers = ReturnType<typeof UseChat<ChatMessage>>

/** What a conversation needs from the Nuxt app, taken while the page's setup runs. */
interface Deps {
  t: ReturnType<typeof useI18n>['t']
  api: ReturnType<typeof useApi>
  chats: ReturnType<typeof useChats>
  toast: ReturnType<typeof useToast>
  searchLibraries: ReturnType<typeof useDocumentSearch>
}

function useDeps(): Deps {
  return { t: useI18n().t, api: useApi(), chats: useChats(), toast: useToast(), searchLibraries: useDocumentSearch() }
}

const PAGE_SIZE = 50

// The AI SDK is only needed once something is sent or followed: load it on demand (and on idle,
// ahead of time) so the first page stays small.
let sdk: Promise<{ useChat: typeof UseChat, DefaultChatTransport: typeof import('ai').DefaultChatTransport }> | undefined
export function loadChatSdk() {
  // Destructured in .then so the bundler keeps only these two exports of each package.
  sdk ??= Promise.all([
    import('@ai-sdk/vue').then(({ useChat }) => useChat),
    import('ai').then(({ DefaultChatTransport }) => DefaultChatTransport),
  ]).then(([useChat, DefaultChatTransport]) => ({ useChat, DefaultChatTransport }))
  sdk.catch(() => {
    sdk = undefined
  })
  return sdk
}

interface Start {
  messages: ChatMessage[]
  olderCursor: string | null
  /** The server has the chat (false on `/` until the first message is accepted). */
  persisted: boolean
  /** Called once the server has accepted the chat's first message. */
  onAccepted?: () => void
  /** The model the chat remembers (null: the default). */
  model?: string | null
}

export type Conversation = ReturnType<typeof createConversation>

/**
 * One conversation on one page: its messages, the AI SDK chat that streams answers into them, and
 * every action on it. The server owns the answer (server/chat/turn.ts): a page that opens while an
 * answer is being written, on whichever replica, resumes its stream; leaving the page only stops
 * reading. Lives in the calling component's scope and ends with it.
 */
function createConversation(id: string, start: Start, { t, api, chats, toast, searchLibraries }: Deps) {
  const scope = effectScope()
  const base = shallowRef<ChatMessage[]>(start.messages)
  const chat = shallowRef<ChatHelpers | null>(null)
  const persisted = ref(start.persisted)
  const problem = shallowRef<ChatProblem | null>(null)
  const stopping = ref(false)
  const olderCursor = ref(start.olderCursor)
  const loadingOlder = ref(false)
  // Sent with every question; the server remembers it for the chat.
  const model = ref<string | null>(start.model ?? null)
  // The assistant a new chat begins with: sent until the server has the chat, which then keeps it.
  const assistantId = ref<string | null>(null)
  let creating: Promise<ChatHelpers> | undefined

  const messages = computed<ChatMessage[]>(() => (chat.value ? chat.value.messages.value : base.value))
  const status = computed<ChatStatus>(() => chat.value?.status.value ?? 'ready')
  const streaming = computed(() => status.value === 'submitted' || status.value === 'streaming')
  // Stored as being written while this page does not follow it (yet): Stop still applies.
  const writtenElsewhere = computed(() => messages.value.at(-1)?.metadata?.status === 'streaming' && !streaming.value)
  const busy = computed(() => streaming.value || stopping.value || writtenElsewhere.value)

  function setMessages(next: ChatMessage[]) {
    if (chat.value) chat.value.messages.value = next
    else base.value = next
  }

  function patchMessage(messageId: string, patch: Partial<ChatMessage>) {
    setMessages(messages.value.map(m => (m.id === messageId ? { ...m, ...patch, metadata: { ...m.metadata, ...patch.metadata } } : m)))
  }

  // Errors before the stream come back as JSON with a sentence for the user; read them here so
  // the status, the kind and Retry-After are not lost in the SDK's generic error.
  async function chatFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const response = await fetch(input, init)
    if (!response.ok) {
      const body: unknown = await response.json().catch(() => undefined)
      throw new ChatRequestError(problemFromResponse(response.status, body, response.headers.get('retry-after')))
    }
    if (init?.method === 'POST') accepted()
    return response
  }

  function accepted() {
    chats.upsert({ id }, { touch: true })
    if (persisted.value) return
    persisted.value = true
    // The server titled the chat from the first message: the sidebar shows it.
    api<ChatSummary>(`/api/chats/${id}`).then(details => chats.upsert(details), () => {})
    start.onAccepted?.()
  }

  async function ensureChat(): Promise<ChatHelpers> {
    if (chat.value) return chat.value
    creating ??= loadChatSdk().then(({ useChat, DefaultChatTransport }) => scope.run(() => {
      const helpers = useChat<ChatMessage>({
        id,
        messages: base.value,
        generateId: () => crypto.randomUUID(),
        // Re-render at most every 40 ms: a smooth stream without a render per token.
        throttle: 40,
        onError: error => onChatError(error),
        transport: new DefaultChatTransport<ChatMessage>({
          fetch: chatFetch,
          // The server keeps the conversation: send only the new (or edited) message.
          prepareSendMessagesRequest: ({ id: chatId, messages: all, trigger, messageId }) => ({
            api: `/api/chats/${chatId}/messages`,
            body: { message: all.at(-1), trigger, messageId, model: model.value ?? undefined, assistantId: persisted.value ? undefined : assistantId.value ?? undefined, libraries: searchLibraries.value.length ? [...searchLibraries.value] : undefined },
          }),
          prepareReconnectToStreamRequest: ({ id: chatId }) => ({ api: `/api/chats/${chatId}/stream` }),
        }),
      })
      chat.value = helpers
      return helpers
    })!)
    creating.catch(() => {
      creating = undefined
    })
    return creating
  }

  function onChatError(error: Error) {
    const found = problemFromError(error)
    const last = messages.value.at(-1)
    if (found.kind === 'session') {
      keepUnsentText(last)
      endSession(persisted.value ? `/chat/${id}` : '/', found.reason)
      return
    }
    if (found.kind === 'network' && persisted.value) {
      // A blip: the answer goes on on the server; follow it again, or show how it was stored.
      void resume().then(() => refreshTail())
      return
    }
    // Kept with the answer as a sentence: in the language it was read in when it failed.
    if (last?.role === 'assistant') patchMessage(last.id, { metadata: { status: 'failed', error: problemText(found, t) } })
    problem.value = found
    // Refused after the server made the chat (content filter, rate limit): it is in the sidebar.
    if (!persisted.value && found.status && found.kind !== 'invalid') {
      api(`/api/chats/${id}`).then(() => chats.upsert({ id }, { touch: true }), () => {})
    }
  }

  /** A 401 ends the session: the message that could not be sent goes back into the draft. */
  function keepUnsentText(last: ChatMessage | undefined) {
    if (last?.role !== 'user') return
    const key = persisted.value ? id : 'new'
    flushDrafts()
    if (!readDraft(key).trim()) writeDraft(key, messageText(last))
  }

  function run(promise: Promise<unknown>) {
    promise.catch((error: unknown) => {
      problem.value = problemFromError(error)
    })
  }

  async function send(text: string) {
    problem.value = null
    const helpers = await ensureChat()
    run(helpers.sendMessage({ text }))
  }

  async function edit(messageId: string, text: string) {
    if (busy.value) return
    problem.value = null
    const helpers = await ensureChat()
    run(helpers.sendMessage({ text, messageId }))
  }

  async function regenerate() {
    if (busy.value) return
    const last = messages.value.at(-1)
    if (!last) return
    // An unanswered question (the request failed before an answer existed) is sent again as
    // itself: the server stores it if it never arrived and answers it once.
    if (last.role === 'user') return edit(last.id, messageText(last))
    problem.value = null
    const helpers = await ensureChat()
    run(helpers.regenerate({ messageId: last.id }))
  }

  /** Follows the answer the server is writing for this chat (204: none, nothing changes). */
  async function resume() {
    const helpers = await ensureChat()
    await helpers.resumeStream().catch(() => {})
    // Nothing to follow any more (it ended meanwhile): show it as stored.
    if (writtenElsewhere.value) await refreshTail()
  }

  async function stop() {
    if (!busy.value || stopping.value) return
    stopping.value = true
    try {
      // Closing the connection does not stop the server (it finishes and stores the answer): ask
      // it to stop first, on whichever replica answers, then stop reading. It answers once the
      // stopped answer is stored, with its text, its status and the sentence saying why.
      const result = await api<StopResult>(`/api/chats/${id}/stop`, { method: 'POST' }).catch(() => null)
      await chat.value?.stop()
      if (result) accepted()
      const stored = result?.message
      if (!stored) return
      // The reasoning already shown stays: the stop result carries only the text.
      const thought = messages.value.find(m => m.id === stored.id)?.parts.filter(p => p.type === 'reasoning').map(p => ({ ...p, state: 'done' as const })) ?? []
      const shown: ChatMessage = { id: stored.id, role: 'assistant', parts: [...thought, ...(stored.text ? [{ type: 'text' as const, text: stored.text }] : [])], metadata: { status: stored.status, error: stored.error } }
      if (messages.value.some(m => m.id === stored.id)) patchMessage(stored.id, shown)
      else setMessages([...messages.value, shown])
    }
    finally {
      stopping.value = false
    }
  }

  /** Replaces the newest page with what the server stored (after a broken stream). */
  async function refreshTail() {
    const page = await api<MessagePage>(`/api/chats/${id}/messages`, { query: { limit: PAGE_SIZE } }).catch(() => null)
    if (!page || streaming.value) return
    const stored = page.messages.map(toChatMessage)
    const current = messages.value
    const start = stored[0] ? current.findIndex(m => m.id === stored[0]!.id) : -1
    setMessages(start >= 0 ? [...current.slice(0, start), ...stored] : stored)
  }

  async function loadOlder() {
    if (!olderCursor.value || loadingOlder.value) return
    loadingOlder.value = true
    try {
      const page = await api<MessagePage>(`/api/chats/${id}/messages`, { query: { limit: PAGE_SIZE, cursor: olderCursor.value } })
      const known = new Set(messages.value.map(m => m.id))
      setMessages([...page.messages.filter(m => !known.has(m.id)).map(toChatMessage), ...messages.value])
      olderCursor.value = page.nextCursor
    }
    catch (error) {
      const found = apiProblem(error)
      if (found.kind !== 'session') toast.add({ title: t('chat.view.loadOlderFailed'), description: problemText(found, t), color: 'error', icon: 'i-lucide-circle-alert' })
    }
    finally {
      loadingOlder.value = false
    }
  }

  function dismissProblem() {
    problem.value = null
    chat.value?.clearError()
  }

  onScopeDispose(() => {
    // Leaving the page stops reading, not the answer: the server finishes and stores it.
    void chat.value?.stop()
    scope.stop()
  })

  return {
    id,
    messages,
    status,
    streaming,
    busy,
    stopping,
    problem,
    persisted,
    model,
    assistantId,
    hasOlder: computed(() => olderCursor.value !== null),
    loadingOlder,
    send,
    edit,
    regenerate,
    resume,
    stop,
    loadOlder,
    dismissProblem,
  }
}

/** An existing chat (`/chat/<id>`): its newest page of messages, rendered on the server too. */
export async function useConversation(id: string) {
  const deps = useDeps()
  // Made before the await, while Vue knows which component is being set up: the conversation
  // lives in it and ends with the page.
  const scope = effectScope()
  const instance = getCurrentInstance()
  onScopeDispose(() => scope.stop())
  // Not a chat id at all: as missing as someone else's chat, without asking the server.
  const valid = isUuid(id)
  const { data, error } = await useAsyncData(`conversation:${id}`, async () => {
    if (!valid) return null
    const [chat, page] = await Promise.all([
      deps.api<ChatSummary>(`/api/chats/${id}`),
      deps.api<MessagePage>(`/api/chats/${id}/messages`, { query: { limit: PAGE_SIZE } }),
    ])
    return { chat, page }
  })
  // After hydration the error is the server's, rebuilt from the payload: its status is all it keeps.
  const status = computed(() => (error.value as { statusCode?: number } | null)?.statusCode)
  const notFound = computed(() => !valid || (!data.value && status.value === 404))
  const loadProblem = computed(() => (error.value && !notFound.value ? loadProblemOf(error.value, status.value) : null))
  const title = computed(() => data.value?.chat.title ?? '')
  const assistant = computed(() => data.value?.chat.assistant ?? null)

  const conversation = data.value
    ? scope.run(() => createConversation(id, { messages: data.value!.page.messages.map(toChatMessage), olderCursor: data.value!.page.nextCursor, persisted: true, model: data.value!.chat.model }, deps))!
    : null
  onMounted(() => {
    if (!conversation) return
    // An answer still being written (a reload, another tab, the first answer of a chat begun on
    // `/`): follow it from the server, wherever it runs.
    const last = conversation.messages.value.at(-1)
    if (last?.role === 'assistant' && last.metadata?.status === 'streaming') void conversation.resume()
    else requestIdle(() => loadChatSdk())
  }, instance)
  return { conversation: shallowRef(conversation), title, assistant, notFound, loadProblem }
}

function loadProblemOf(error: unknown, status: number | undefined): ChatProblem {
  // Rebuilt from the payload, the error has no response left: say it by its status, never with
  // the raw fetch message.
  return (error as { response?: unknown }).response || !status ? apiProblem(error) : problemFromResponse(status, undefined)
}

/** A chat not sent yet (`/`): created with a fresh id when its first message goes out. */
export function useNewConversation(options: { onAccepted: (id: string) => void }) {
  const deps = useDeps()
  const conversation = shallowRef<Conversation | null>(null)
  let scope: EffectScope | undefined

  function start(): Conversation {
    if (conversation.value) return conversation.value
    const id = crypto.randomUUID()
    scope = effectScope()
    conversation.value = scope.run(() => createConversation(id, { messages: [], olderCursor: null, persisted: false, onAccepted: () => options.onAccepted(id) }, deps))!
    return conversation.value
  }

  /** The "New chat" button on `/`: a fresh conversation (an answer in flight goes on on the server). */
  function reset() {
    scope?.stop()
    scope = undefined
    conversation.value = null
  }
  onScopeDispose(reset)

  onMounted(() => requestIdle(() => loadChatSdk()))
  return { conversation, start, reset }
}

function requestIdle(callback: () => void) {
  if ('requestIdleCallback' in window) window.requestIdleCallback(callback, { timeout: 3000 })
  else setTimeout(callback, 1000)
}

/** What a chat page hands to <ChatView>, and the page's own shortcut (Esc stops the answer). */
export function useConversationView(conversation: Readonly<ShallowRef<Conversation | null>>) {
  // Loaded by the layout (useCurrentUser) before any chat page.
  const me = useNuxtData<CurrentUser>('me')
  // Picked before the first message on `/`, where the conversation does not exist yet.
  const picked = ref<string | null>(null)
  const model = computed<string | null>({
    get: () => (conversation.value ? conversation.value.model.value : picked.value),
    set: (value) => {
      if (conversation.value) conversation.value.model.value = value
      else picked.value = value
    },
  })
  const props = computed(() => {
    const c = conversation.value
    return {
      messages: c?.messages.value ?? [],
      status: c?.status.value ?? 'ready',
      busy: c?.busy.value ?? false,
      stopping: c?.stopping.value ?? false,
      problem: c?.problem.value ?? null,
      hasOlder: c?.hasOlder.value ?? false,
      loadingOlder: c?.loadingOlder.value ?? false,
      maxChars: me.data.value?.limits.maxMessageChars,
    }
  })

  defineShortcuts(computed(() => (props.value.busy
    ? {
        escape: {
          usingInput: true,
          handler: () => {
            // In a dialog, Esc closes the dialog and nothing else.
            if (!document.querySelector('[role="dialog"], [role="alertdialog"]')) conversation.value?.stop()
          },
        },
      }
    : {})))

  return {
    props,
    model,
    stop: () => conversation.value?.stop(),
    regenerate: () => conversation.value?.regenerate(),
    edit: (messageId: string, text: string) => conversation.value?.edit(messageId, text),
    loadOlder: () => conversation.value?.loadOlder(),
    dismissProblem: () => conversation.value?.dismissProblem(),
  }
}
