import { describe, expect, it } from 'vitest'
import { displayStatus, toChatMessage, type ChatMessage, type MessageMeta } from '../../utils/chat'

function answer(metadata?: MessageMeta): ChatMessage {
  return { id: 'a', role: 'assistant', parts: [{ type: 'text', text: 'Partly' }], metadata }
}

describe('displayStatus', () => {
  it.each([
    ['a stopped stream', { status: 'stopped', error: 'Stopped before the answer was complete.', finishReason: 'stop' }, { status: 'stopped', error: 'Stopped before the answer was complete.' }],
    ['a filtered stream', { status: 'truncated', error: 'The rest of this answer was withheld by the company\'s content filter (hate).', finishReason: 'content-filter' }, { status: 'truncated', error: 'The rest of this answer was withheld by the company\'s content filter (hate).' }],
    ['a replayed failed answer', { status: 'failed', error: 'The model service failed to answer.', replayed: true }, { status: 'failed', error: 'The model service failed to answer.' }],
    ['a complete stream', { status: 'complete', error: null, finishReason: 'stop' }, { status: 'complete', error: null }],
  ] as const)('shows the status and sentence the server sent for %s', (_, metadata, expected) => {
    expect(displayStatus(answer({ ...metadata }))).toEqual(expected)
  })

  it('shows an answer without a status (still streaming, or no final part) as complete, with no sentence of its own', () => {
    expect(displayStatus(answer())).toEqual({ status: 'complete', error: null })
    expect(displayStatus(answer({ finishReason: 'length' }))).toEqual({ status: 'complete', error: null })
  })

  it('shows a stored answer as stored', () => {
    const stored = toChatMessage({ id: 'a', role: 'assistant', parts: [{ type: 'text', text: 'Cut' }], status: 'truncated', error: 'The answer reached the maximum length and was cut.', createdAt: '2026-01-01T00:00:00Z' })
    expect(displayStatus(stored)).toEqual({ status: 'truncated', error: 'The answer reached the maximum length and was cut.' })
  })
})
