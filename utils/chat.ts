import type { UIMessage } from 'ai'
import type { Citation, FeedbackRating, FeedbackReason, MessageStatus } from '../server/database/schema'

export type { Citation, FeedbackRating, FeedbackReason, MessageStatus }

/** The signed-in user's own thumbs up/down on an answer. */
export interface MessageFeedback { rating: FeedbackRating, reason: FeedbackReason | null, comment: string | null }

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
  /** The model id that answered (stored answers). */
  model?: string | null
  /** The user's feedback on a stored answer; null: none yet. */
  feedback?: MessageFeedback | null
}

/** Data parts an answer can carry: the company-document passages its [n] markers cite. */
export interface MessageData { citations: Citation[], [name: string]: unknown }

export type ChatMessage = UIMessage<MessageMeta, MessageData>

export interface ChatSummary {
  id: string
  title: string
  /** The model last picked in this chat; null: the default. */
  model?: string | null
  /** The assistant the chat was begun with (GET /api/chats/:id only; never its prompt). */
  assistant?: { id: string, name: string, icon: string } | null
  createdAt: string
  updatedAt: string
  /** In search results: the words around a match inside the conversation, the match marked. */
  snippet?: Array<{ text: string, match: boolean }> | null
}

export interface StoredMessage {
  id: string
  role: 'user' | 'assistant'
  parts: Array<{ type: 'text', text: string } | { type: 'reasoning', text: string, durationMs: number }>
  status: MessageStatus
  error: string | null
  model?: string | null
  /** A grounded answer's sources. */
  citations?: Citation[] | null
  createdAt: string
  feedback?: MessageFeedback | null
}

/** What `POST /api/chats/:id/stop` answers, once the stopped answer is stored. */
export interface StopResult {
  stopped: boolean
  /** The newest answer as stored, or null when the newest message is a question. */
  message: { id: string, status: MessageStatus, error: string | null, text: string } | null
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
    // A reasoning summary is shown, never sent: the server keeps the history.
    parts: [...stored.parts.map(p => (p.type === 'reasoning'
      ? { type: 'reasoning' as const, text: p.text, state: 'done' as const, providerMetadata: { assistant: { durationMs: p.durationMs } } }
      : { type: 'text' as const, text: p.text })),
    ...(stored.citations ? [{ type: 'data-citations' as const, data: stored.citations }] : []),
    ],
    metadata: { status: stored.status, error: stored.error, createdAt: stored.createdAt, model: stored.model ?? null, feedback: stored.feedback ?? null },
  }
}

/** A reasoning model's summary of the answer: streamed (`thinking`) or done, with how long it took. */
export function reasoningPart(message: Pick<ChatMessage, 'parts'>): { text: string, thinking: boolean, durationMs?: number } | undefined {
  const part = message.parts.find(p => p.type === 'reasoning')
  if (!part) return undefined
  const duration = (part.providerMetadata?.assistant as { durationMs?: unknown } | undefined)?.durationMs
  return { text: part.text, thinking: part.state === 'streaming', durationMs: typeof duration === 'number' ? duration : undefined }
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

/** A chat id as the API accepts it; anything else names no chat. */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
}

/** The passages a grounded answer cites, in [n] order; empty for other messages. */
export function citationsOf(message: Pick<ChatMessage, 'parts'>): Citation[] {
  const part = message.parts.find(p => p.type === 'data-citations') as { data?: Citation[] } | undefined
  return part?.data ?? []
}
