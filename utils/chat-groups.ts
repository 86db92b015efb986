/** A group's message key under chat.sidebar.groups: the sidebar names it in the reader's language. */
export type ChatGroupLabel = 'today' | 'yesterday' | 'previous7Days' | 'older'

export interface ChatGroup<T> {
  label: ChatGroupLabel
  chats: T[]
}

const DAY = 24 * 60 * 60 * 1000

function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime()
}

/** Today / Yesterday / Previous 7 days / Older by local calendar day, keeping the list's order. */
export function groupChatsByDate<T extends { updatedAt: string }>(chats: T[], now = new Date()): ChatGroup<T>[] {
  const today = startOfDay(now)
  const order: ChatGroupLabel[] = ['today', 'yesterday', 'previous7Days', 'older']
  const groups = new Map<ChatGroupLabel, T[]>(order.map(label => [label, []]))
  for (const chat of chats) {
    const day = startOfDay(new Date(chat.updatedAt))
    const label: ChatGroupLabel = day >= today
      ? 'today'
      : day >= today - DAY ? 'yesterday' : day >= today - 7 * DAY ? 'previous7Days' : 'older'
    groups.get(label)!.push(chat)
  }
  return order.map(label => ({ label, chats: groups.get(label)! })).filter(group => group.chats.length > 0)
}
