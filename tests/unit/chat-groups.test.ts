import { describe, expect, it } from 'vitest'
import { groupChatsByDate } from '../../utils/chat-groups'
import en from '../../i18n/locales/en/chat.json'

const now = new Date(2026, 10, 29, 15, 0, 0)
const at = (days: number, hours = 12) => new Date(2026, 10, 29 - days, hours, 0, 0).toISOString()

describe('groupChatsByDate', () => {
  it.each([
    ['earlier today', at(0, 0), 'today'],
    ['yesterday evening', at(1, 23), 'yesterday'],
    ['two days ago', at(2), 'previous7Days'],
    ['a week ago', at(7), 'previous7Days'],
    ['eight days ago', at(8), 'older'],
  ])('puts a chat from %s under %s', (_, updatedAt, label) => {
    expect(groupChatsByDate([{ id: 'a', updatedAt }], now)).toEqual([{ label, chats: [{ id: 'a', updatedAt }] }])
  })

  it('keeps the list order and leaves out empty groups', () => {
    const chats = [{ id: '1', updatedAt: at(0) }, { id: '2', updatedAt: at(0, 1) }, { id: '3', updatedAt: at(30) }]
    expect(groupChatsByDate(chats, now).map(g => [g.label, g.chats.map(c => c.id)])).toEqual([['today', ['1', '2']], ['older', ['3']]])
  })

  it('names the groups in English as before', () => {
    const chats = [0, 1, 2, 30].map(days => ({ id: String(days), updatedAt: at(days) }))
    expect(groupChatsByDate(chats, now).map(g => en.chat.sidebar.groups[g.label])).toEqual(['Today', 'Yesterday', 'Previous 7 days', 'Older'])
  })
})
