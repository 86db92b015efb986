import { computed, onMounted } from 'vue'

export interface AssistantOption {
  id: string
  name: string
  description: string
  icon: string
  starterPrompts: string[]
  defaultModel: string | null
  personal: boolean
}

/** What the assistant form edits (personal and company alike). */
export interface AssistantDraft {
  name: string
  description: string
  icon: string
  systemPrompt: string
  starterPrompts: string[]
  defaultModel: string | null
}

/** The assistants this person can begin a chat with (GET /api/assistants), read once after hydration. */
export function useAssistants() {
  const state = useState<AssistantOption[] | null>('assistants', () => null)
  const api = useApi()
  async function reload() {
    state.value = (await api<{ assistants: AssistantOption[] }>('/api/assistants')).assistants
  }
  onMounted(() => {
    // Without the list the new-chat screen simply offers none.
    if (!state.value) reload().catch(() => {})
  })
  return { assistants: computed(() => state.value ?? []), reload }
}

/** The assistant picked on the new-chat screen, for the chat its first message begins. */
export function useNewChatAssistant() {
  return useState<string | null>('new-chat-assistant', () => null)
}
