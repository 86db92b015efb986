import { onBeforeUnmount, onMounted, ref, toValue, watch } from 'vue'
import type { MaybeRefOrGetter } from 'vue'

const PREFIX = 'assistant:draft:'
const SAVE_DELAY_MS = 400

// Pending debounced writes, so a sign-in redirect or a closing tab can write them out at once.
const pending = new Map<string, () => void>()

/** Writes every draft that is waiting for its debounce; call before leaving the page. */
export function flushDrafts() {
  for (const write of [...pending.values()]) write()
}

if (import.meta.client) {
  window.addEventListener('pagehide', flushDrafts)
}

function storageKey(key: string) {
  return `${PREFIX}${key}`
}

export function readDraft(key: string): string {
  if (import.meta.server) return ''
  try {
    return localStorage.getItem(storageKey(key)) ?? ''
  }
  catch {
    return ''
  }
}

export function writeDraft(key: string, text: string) {
  if (import.meta.server) return
  pending.delete(key)
  try {
    if (text.trim()) localStorage.setItem(storageKey(key), text)
    else localStorage.removeItem(storageKey(key))
  }
  catch {
    // Storage full or blocked (private mode): the draft lives only in the page then.
  }
}

/**
 * The text in the message box of one chat ('new' for a chat not sent yet), kept in localStorage
 * (debounced) so it survives a reload and the trip through sign-in when the session ends.
 */
export function useDraft(key: MaybeRefOrGetter<string>) {
  const text = ref('')
  let timer: ReturnType<typeof setTimeout> | undefined

  const save = (forKey: string, value: string) => {
    clearTimeout(timer)
    const write = () => {
      clearTimeout(timer)
      writeDraft(forKey, value)
    }
    pending.set(forKey, write)
    timer = setTimeout(write, SAVE_DELAY_MS)
  }

  // Restored after mount: the server cannot see localStorage, and the first render must match it.
  // Text typed before the page was interactive is newer than the stored draft and stays.
  onMounted(() => {
    text.value ||= readDraft(toValue(key))
  })

  watch(() => toValue(key), (next, previous) => {
    if (previous) pending.get(previous)?.()
    text.value = readDraft(next)
  })

  watch(text, value => save(toValue(key), value))

  onBeforeUnmount(() => pending.get(toValue(key))?.())

  return {
    text,
    /** Forget the draft (after sending it). */
    clear() {
      text.value = ''
      writeDraft(toValue(key), '')
    },
  }
}
