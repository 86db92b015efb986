import type { ExportedChat } from './queries/chat-export'

// Explicit imports only: unit tests load this file without Nitro's auto-imports.

const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`

/** A chat as Markdown a person reads: who said what, when, with which model, and how it ended. */
export function chatMarkdown(chat: ExportedChat): string {
  const lines = [`# ${chat.title}`, '', `Started ${when(chat.createdAt)}, last active ${when(chat.updatedAt)}.`, '']
  for (const m of chat.messages) {
    const who = m.role === 'user' ? 'You' : `Assistant${m.model ? ` (${m.model})` : ''}`
    lines.push(`## ${who} · ${when(m.createdAt)}`, '', m.text || '_(no text)_', '')
    for (const c of m.citations ?? []) lines.push(`[${c.id}] ${c.documentName}${c.page ? `, page ${c.page}` : ''}${c.heading ? `, ${c.heading}` : ''}`, '')
    if (m.status !== 'complete') lines.push(`> Status: ${m.status}${m.error ? `: ${m.error}` : ''}`, '')
  }
  return lines.join('\n')
}

/** A file name for the chat: its day and a slug of its title, and the id so names never collide. */
export function chatFileName(chat: Pick<ExportedChat, 'id' | 'title' | 'createdAt'>, extension: 'md' | 'json'): string {
  const slug = chat.title.normalize('NFKD').replace(/[^\w\s-]/g, '').trim().replace(/\s+/g, '-').toLowerCase().slice(0, 40) || 'chat'
  return `${chat.createdAt.slice(0, 10)}-${slug}-${chat.id.slice(0, 8)}.${extension}`
}
