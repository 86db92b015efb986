export type ChatGroupLabel = 'Today' | 'Yesterday' | 'Previous 7 days' | 'Older'

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
  const order: ChatGroupLabel[] = ['Today', 'Yesterday', 'Previous 7 days', 'Older']
  const groups = new Map<ChatGroupLabel, T[]>(order.map(label => [label, []]))
  for (const chat of chats) {
    const day = startOfDay(new Date(chat.updatedAt))
    const label: ChatGroupLabel = day >= today
      ? 'Today'
      : day >= today - DAY ? 'Yesterday' : day >= today - 7 * DAY ? 'Previous 7 days' : 'Older'
    groups.get(label)!.push(chat)
  }
  return order.map(label => ({ label, chats: groups.get(label)! })).filter(group => group.chats.length > 0)
}
