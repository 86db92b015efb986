import type { UIMessage } from 'ai'

export type MessageStatus = 'complete' | 'partial' | 'failed'

/**
 * What the UI keeps beside a message: the stored status, or what the live stream's final part
 * told us (`finish` carries `{ status, error, finishReason }`, a replayed answer `replayed: true`).
 */
export interface MessageMeta {
  status?: MessageStatus
  error?: string | null
  createdAt?: string
  finishReason?: string
  replayed?: boolean
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

/** What `POST /api/chats/:id/stop` answers, once the partial answer is stored. */
export interface StopResult {
  stopped: boolean
  /** The newest answer as stored, or null when the newest message is a question. */
  message: { id: string, status: MessageStatus, error: string | null } | null
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

/**
 * The status to show for an answer: the stored one, or the one the live stream's final part
 * carried (its metadata). Without either the answer is shown as complete.
 */
export function displayStatus(message: ChatMessage): { status: MessageStatus, error: string | null } {
  const meta = message.metadata ?? {}
  return meta.status ? { status: meta.status, error: meta.error ?? null } : { status: 'complete', error: null }
}

export function initials(name: string | null | undefined): string {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean)
  if (!words.length) return '?'
  const first = words[0]!.charAt(0)
  const last = words.length > 1 ? words.at(-1)!.charAt(0) : ''
  return (first + last).toUpperCase()
}
