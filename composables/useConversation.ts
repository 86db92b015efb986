import type { ChatStatus } from 'ai'
import type { useChat as UseChat } from '@ai-sdk/vue'
import { computed, effectScope, onMounted, onScopeDispose, ref, shallowRef, watch } from 'vue'
import type { EffectScope, ShallowRef } from 'vue'

type ChatHelpers = ReturnType<typeof UseChat<ChatMessage>>
type Api = ReturnType<typeof useApi>

const PAGE_SIZE = 50
const MAX_IDLE_SESSIONS = 8

// The AI SDK is only needed once something is sent: load it on demand (and on idle, ahead of
// time) so the first page stays small.
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

interface Deps {
  api: Api
  chats: ReturnType<typeof useChats>
  toast: ReturnType<typeof useToast>
}

interface SessionInit {
  messages: ChatMessage[]
  olderCursor: string | null
  persisted: boolean
  generating: boolean
  title?: string
}

export type Conversation = ReturnType<typeof createSession>

/**
 * One conversation in the browser: its messages, the AI SDK chat that streams answers into them,
 * and every action on it. Kept in a client-side map so it outlives page changes: the URL moves from
 * `/` to `/chat/<id>` after the first message while the same chat keeps streaming. Filled in the
 * browser only: on the server this module is shared by every user's requests.
 */
const sessions = new Map<string, Conversation>()

function delay(ms: number) {
  return new Promise(resolve => setTimeout(resolve, ms))
}

function createSession(id: string, init: SessionInit, deps: Deps) {
  const scope: EffectScope = effectScope(true)
  return scope.run(() => {
    const base = shallowRef<ChatMessage[]>(init.messages)
    const chat = shallowRef<ChatHelpers | null>(null)
    const persisted = ref(init.persisted)
    const title = ref(init.title ?? '')
    const problem = shallowRef<ChatProblem | null>(null)
    const stopping = ref(false)
    const serverGenerating = ref(init.generating)
    const olderCursor = ref(init.olderCursor)
    const loadingOlder = ref(false)
    const hooks: { onAccepted?: () => void } = {}
    let disposed = false
    let stopRequested = false
    let creating: Promise<ChatHelpers> | undefined

    const messages = computed<ChatMessage[]>(() => (chat.value ? chat.value.messages.value : base.value))
    const status = computed<ChatStatus>(() => chat.value?.status.value ?? 'ready')
    const streaming = computed(() => status.value === 'submitted' || status.value === 'streaming')
    const busy = computed(() => streaming.value || serverGenerating.value || stopping.value)

    function setMessages(next: ChatMessage[]) {
      if (chat.value) chat.value.messages.value = next
      else base.value = next
    }

    function patchMessage(messageId: string, meta: MessageMeta) {
      setMessages(messages.value.map(m => (m.id === messageId ? { ...m, metadata: { ...m.metadata, ...meta } } : m)))
    }

    // Errors before the stream come back as JSON with a sentence for the user; read them here so
    // the status, the kind and Retry-After are not lost in the SDK's generic error.
    async function chatFetch(input: RequestInfo | URL, requestInit?: RequestInit): Promise<Response> {
      const response = await fetch(input, requestInit)
      if (!response.ok) {
        const body: unknown = await response.json().catch(() => undefined)
        throw new ChatRequestError(problemFromResponse(response.status, body, response.headers.get('retry-after')))
      }
      accepted()
      return response
    }

    function accepted() {
      const first = !persisted.value
      persisted.value = true
      deps.chats.upsert({ id, ...(title.value ? { title: title.value } : {}) }, { touch: true })
      if (!first) return
      hooks.onAccepted?.()
      // The server titled the chat from the first message; show that title.
      deps.api<ChatDetails>(`/api/chats/${id}`).then((details) => {
        title.value = details.title
        deps.chats.upsert({ id, title: details.title, createdAt: details.createdAt })
      }).catch(() => {})
    }

    async function ensureChat(): Promise<ChatHelpers> {
      if (chat.value) return chat.value
      creating ??= loadChatSdk().then(({ useChat, DefaultChatTransport }) => {
        const helpers = scope.run(() => {
          const created = useChat<ChatMessage>({
            id,
            messages: base.value,
            generateId: () => crypto.randomUUID(),
            // Re-render at most every 40 ms: a smooth stream without a render per token.
            throttle: 40,
            transport: new DefaultChatTransport<ChatMessage>({
              fetch: chatFetch,
              // The server keeps the conversation: send only the new (or edited) message.
              prepareSendMessagesRequest: ({ id: chatId, messages: all, trigger, messageId }) => ({
                api: `/api/chats/${chatId}/messages`,
                body: { message: all.at(-1), trigger, messageId },
              }),
            }),
          })
          watch(created.status, (next, previous) => onStatus(created, next, previous))
          return created
        })!
        chat.value = helpers
        return helpers
      })
      creating.catch(() => {
        creating = undefined
      })
      return creating
    }

    function onStatus(helpers: ChatHelpers, next: ChatStatus, previous: ChatStatus) {
      if (next === 'error') {
        const found = problemFromError(helpers.error.value)
        const last = helpers.messages.value.at(-1)
        if (found.kind === 'session') {
          keepUnsentText(last)
          endSession(persisted.value ? `/chat/${id}` : '/', found.reason)
          return
        }
        if (last?.role === 'assistant') {
          // Broke off mid-answer: the answer shows what came and why it stopped.
          patchMessage(last.id, { status: found.kind === 'network' ? 'partial' : 'failed', error: found.kind === 'network' ? 'The connection was lost before the answer was complete.' : found.message })
        }
        problem.value = found
        // Refused after the server created the chat (content filter, rate limit): it exists now,
        // so it gets its URL and its place in the sidebar like any other.
        if (!persisted.value && found.status && found.kind !== 'invalid') {
          deps.api<ChatDetails>(`/api/chats/${id}`).then(() => accepted()).catch(() => {})
        }
        return
      }
      if (next === 'ready' && (previous === 'streaming' || previous === 'submitted') && !stopRequested) {
        deps.chats.upsert({ id }, { touch: true })
        // The stream's final part says how the answer ended (`{ status, error }`, the server's
        // own sentence). A stream that closed without it (no answer part at all, or cut before
        // the end) is shown as the server stored it.
        const last = helpers.messages.value.at(-1)
        if (persisted.value && (last?.role !== 'assistant' || !last.metadata?.status)) void syncTail()
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

    async function stop() {
      if (!busy.value || stopping.value) return
      stopping.value = true
      stopRequested = true
      try {
        // Closing the connection does not stop the server (it finishes and stores the answer):
        // ask it to stop first, then stop reading. Also before the first token arrived: the
        // server has the chat by then even though this page has not heard back yet. It answers
        // once the partial answer is stored, with its status and the sentence saying why.
        const result = await deps.api<StopResult>(`/api/chats/${id}/stop`, { method: 'POST' }).catch(() => null)
        await chat.value?.stop()
        if (result?.message) patchMessage(result.message.id, { status: result.message.status, error: result.message.error })
        if (!persisted.value && (result || await deps.api(`/api/chats/${id}`).then(() => true, () => false))) accepted()
        // What was stored can hold a few words more than this page read before it stopped
        // reading (or, while following another page's answer, since the last look).
        if (persisted.value) await syncTail()
        serverGenerating.value = false
      }
      finally {
        stopping.value = false
        stopRequested = false
      }
    }

    /** Replaces the newest page with what the server stored (after Stop, or while following). */
    async function syncTail() {
      const page = await deps.api<MessagePage>(`/api/chats/${id}/messages`, { query: { limit: PAGE_SIZE } }).catch(() => null)
      if (!page || disposed) return
      const stored = page.messages.map(toChatMessage)
      const current = messages.value
      const start = stored[0] ? current.findIndex(m => m.id === stored[0]!.id) : -1
      if (start >= 0) setMessages([...current.slice(0, start), ...stored])
      else if (!page.nextCursor) setMessages(stored)
      else {
        const byId = new Map(stored.map(m => [m.id, m]))
        const known = new Set(current.map(m => m.id))
        setMessages([...current.map(m => byId.get(m.id) ?? m), ...stored.filter(m => !known.has(m.id))])
      }
    }

    /** Opened while the server is still answering (a reload mid-answer): follow it until done. */
    async function follow() {
      while (serverGenerating.value && !disposed) {
        await delay(1000)
        if (stopping.value) continue
        const details = await deps.api<ChatDetails>(`/api/chats/${id}`).catch(() => null)
        await syncTail()
        if (details && !details.generating) serverGenerating.value = false
      }
    }

    async function loadOlder() {
      if (!olderCursor.value || loadingOlder.value) return
      loadingOlder.value = true
      try {
        const page = await deps.api<MessagePage>(`/api/chats/${id}/messages`, { query: { limit: PAGE_SIZE, cursor: olderCursor.value } })
        const known = new Set(messages.value.map(m => m.id))
        setMessages([...page.messages.filter(m => !known.has(m.id)).map(toChatMessage), ...messages.value])
        olderCursor.value = page.nextCursor
      }
      catch (error) {
        const found = apiProblem(error)
        if (found.kind !== 'session') deps.toast.add({ title: 'Could not load earlier messages', description: found.message, color: 'error', icon: 'i-lucide-circle-alert' })
      }
      finally {
        loadingOlder.value = false
      }
    }

    function dismissProblem() {
      problem.value = null
      chat.value?.clearError()
    }

    function dispose() {
      disposed = true
      scope.stop()
    }

    if (import.meta.client && serverGenerating.value) follow()

    return {
      id,
      title,
      messages,
      status,
      streaming,
      busy,
      stopping,
      serverGenerating,
      problem,
      persisted,
      hasOlder: computed(() => olderCursor.value !== null),
      loadingOlder,
      hooks,
      handoff: false,
      send,
      edit,
      regenerate,
      stop,
      loadOlder,
      dismissProblem,
      dispose,
    }
  })!
}

function remember(session: Conversation) {
  sessions.set(session.id, session)
  if (sessions.size <= MAX_IDLE_SESSIONS) return
  for (const [key, other] of sessions) {
    if (sessions.size <= MAX_IDLE_SESSIONS) break
    if (other === session || other.busy.value) continue
    other.dispose()
    sessions.delete(key)
  }
}

/** Drops a conversation kept in the browser (it was deleted). */
export function forgetConversation(id: string) {
  const session = sessions.get(id)
  if (!session) return
  if (!session.busy.value) session.dispose()
  sessions.delete(id)
}

function useDeps(): Deps {
  return { api: useApi(), chats: useChats(), toast: useToast() }
}

/** An existing chat (`/chat/<id>`): its newest page of messages, rendered on the server too. */
export async function useConversation(id: string) {
  const deps = useDeps()
  const kept = import.meta.client ? sessions.get(id) : undefined
  // A chat that is still streaming here, or was just started on `/`, is taken over as it is.
  const reuse = kept && (kept.handoff || kept.busy.value) ? kept : undefined
  if (kept && !reuse) forgetConversation(id)

  const { data, error } = await useAsyncData(`conversation:${id}`, async () => {
    if (reuse) return null
    const [chat, page] = await Promise.all([
      deps.api<ChatDetails>(`/api/chats/${id}`),
      deps.api<MessagePage>(`/api/chats/${id}/messages`, { query: { limit: PAGE_SIZE } }),
    ])
    return { chat, page }
  })

  const notFound = computed(() => !reuse && !data.value && !!error.value)
  const loadProblem = computed(() => (error.value ? apiProblem(error.value) : null))

  let session: Conversation | null = reuse ?? null
  if (reuse) reuse.handoff = false
  else if (data.value) {
    session = createSession(id, {
      messages: data.value.page.messages.map(toChatMessage),
      olderCursor: data.value.page.nextCursor,
      persisted: true,
      generating: data.value.chat.generating,
      title: data.value.chat.title,
    }, deps)
    if (import.meta.client) remember(session)
    else onScopeDispose(() => session?.dispose())
  }
  if (import.meta.client && session) requestIdle(() => loadChatSdk())
  return { conversation: shallowRef(session), notFound, loadProblem }
}

/** A chat not sent yet (`/`): created with a fresh id when its first message goes out. */
export function useNewConversation(options: { onAccepted: (id: string) => void }) {
  const deps = useDeps()
  const conversation = shallowRef<Conversation | null>(null)

  function start(): Conversation {
    if (conversation.value) return conversation.value
    const id = crypto.randomUUID()
    const session = createSession(id, { messages: [], olderCursor: null, persisted: false, generating: false }, deps)
    session.handoff = true
    session.hooks.onAccepted = () => options.onAccepted(id)
    remember(session)
    conversation.value = session
    return session
  }

  function reset() {
    conversation.value = null
  }

  if (import.meta.client) onMounted(() => requestIdle(() => loadChatSdk()))
  return { conversation, start, reset }
}

function requestIdle(callback: () => void) {
  if ('requestIdleCallback' in window) window.requestIdleCallback(callback, { timeout: 3000 })
  else setTimeout(callback, 1000)
}

/** What a chat page hands to <ChatView>, and the page's own shortcut (Esc stops the answer). */
export function useConversationView(conversation: Readonly<ShallowRef<Conversation | null>>) {
  const props = computed(() => {
    const c = conversation.value
    return {
      messages: c?.messages.value ?? [],
      status: c?.status.value ?? 'ready',
      busy: c?.busy.value ?? false,
      stopping: c?.stopping.value ?? false,
      serverGenerating: c?.serverGenerating.value ?? false,
      problem: c?.problem.value ?? null,
      hasOlder: c?.hasOlder.value ?? false,
      loadingOlder: c?.loadingOlder.value ?? false,
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
    stop: () => conversation.value?.stop(),
    regenerate: () => conversation.value?.regenerate(),
    edit: (messageId: string, text: string) => conversation.value?.edit(messageId, text),
    loadOlder: () => conversation.value?.loadOlder(),
    dismissProblem: () => conversation.value?.dismissProblem(),
  }
}
