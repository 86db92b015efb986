import type { UIMessage } from 'ai'

export type MessageStatus = 'complete' | 'partial' | 'failed'

/** What the UI keeps beside a message: the stored status, or what the live stream told us. */
export interface MessageMeta {
  status?: MessageStatus
  error?: string | null
  createdAt?: string
  finishReason?: string
}

export type ChatMessage = UIMessage<MessageMeta>

export interface ChatSummary {
  id: string
  title: string
  createdAt: string
  updatedAt: string
}

export interface ChatDetails extends ChatSummary {
  generating: boolean
}

export interface StoredMessage {
  id: string
  role: 'user' | 'assistant'
  parts: Array<{ type: 'text', text: string }>
  status: MessageStatus
  error: string | null
  createdAt: string
}

export interface MessagePage {
  messages: StoredMessage[]
  nextCursor: string | null
}

export interface ChatPage {
  chats: ChatSummary[]
  nextCursor: string | null
}

export function messageText(message: Pick<ChatMessage, 'parts'>): string {
  return message.parts.map(part => (part.type === 'text' ? part.text : '')).join('')
}

export function toChatMessage(stored: StoredMessage): ChatMessage {
  return {
    id: stored.id,
    role: stored.role,
    parts: stored.parts.filter(p => p.type === 'text').map(p => ({ type: 'text' as const, text: p.text })),
    metadata: { status: stored.status, error: stored.error, createdAt: stored.createdAt },
  }
}

// The live stream only says why the model stopped; these are the same words the server stores.
const finishNotes: Record<string, string> = {
  'content-filter': 'The rest of this answer was withheld by the company\'s content filter.',
  'length': 'The answer reached the maximum length and was cut.',
}

/** The status to show for an answer: the stored one, or the one implied by the live stream. */
export function displayStatus(message: ChatMessage): { status: MessageStatus, error: string | null } {
  const meta = message.metadata ?? {}
  if (meta.status) return { status: meta.status, error: meta.error ?? null }
  const note = meta.finishReason ? finishNotes[meta.finishReason] : undefined
  if (note) return { status: 'partial', error: note }
  return { status: 'complete', error: null }
}

export function initials(name: string | null | undefined): string {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean)
  if (!words.length) return '?'
  const first = words[0]!.charAt(0)
  const last = words.length > 1 ? words.at(-1)!.charAt(0) : ''
  return (first + last).toUpperCase()
}
