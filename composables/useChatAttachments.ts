import { computed, onBeforeUnmount, ref, watch } from 'vue'

export interface ChatAttachment {
  id: string
  name: string
  status: DocumentStatus
  error: string | null
  pages: number | null
}

const settled = (a: ChatAttachment) => a.status === 'ready' || a.status === 'failed'

/**
 * The documents attached to one chat (paperclip, drop or paste): uploaded at once, followed until
 * they are ready or failed, removable. Only that chat's answers draw on them. `chatId` gives the
 * chat's id, making one first when asked (`create`): on the new-chat page the first file begins
 * the chat, as its first message would.
 */
export function useChatAttachments(chatId: (create: boolean) => string | null) {
  const api = useApi()
  const toast = useToast()
  const { t } = useI18n()
  const attachments = ref<ChatAttachment[]>([])
  const uploading = ref(0)

  async function refresh() {
    const id = chatId(false)
    if (!id) return
    try {
      attachments.value = (await api<{ documents: ChatAttachment[] }>('/api/documents', { query: { chatId: id } })).documents
    }
    catch {
      // A blip: the next poll (or upload) reads them again.
    }
  }

  // Polls while one is still being read; stops once all are ready or failed.
  let timer: ReturnType<typeof setTimeout> | undefined
  watch(attachments, (list) => {
    clearTimeout(timer)
    if (list.some(a => !settled(a))) timer = setTimeout(refresh, 1000)
  })
  onBeforeUnmount(() => clearTimeout(timer))

  async function attach(files: File[]) {
    if (!files.length) return
    const id = chatId(true)!
    uploading.value += files.length
    for (const file of files) {
      const form = new FormData()
      form.set('scope', 'chat')
      form.set('chatId', id)
      form.set('file', file, file.name)
      try {
        const added = await api<ChatAttachment>('/api/documents', { method: 'POST', body: form })
        attachments.value = [added, ...attachments.value.filter(a => a.id !== added.id)]
      }
      catch (e) {
        toast.add({ title: t('documents.attachments.attachFailed', { name: file.name }), description: problemText(apiProblem(e), t), color: 'error' })
      }
      finally {
        uploading.value--
      }
    }
  }

  async function remove(attachment: ChatAttachment) {
    try {
      await api(`/api/documents/${attachment.id}`, { method: 'DELETE' })
      attachments.value = attachments.value.filter(a => a.id !== attachment.id)
    }
    catch (e) {
      toast.add({ title: t('documents.attachments.removeFailed', { name: attachment.name }), description: problemText(apiProblem(e), t), color: 'error' })
    }
  }

  /** Why sending should wait: an answer now would not see a file still being read. */
  const waitingFor = computed(() => uploading.value > 0 || attachments.value.some(a => !settled(a))
    ? t('documents.attachments.wait')
    : null)

  return { attachments, attach, remove, refresh, waitingFor }
}
