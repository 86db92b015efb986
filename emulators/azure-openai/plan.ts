import { groupDeltas, splitIntoDeltas } from './chunking.ts'
import { countWords } from './prompt.ts'
import { composeReasoning, composeReply } from './reply.ts'
import type { Triggers } from './triggers.ts'

// What a successful-looking answer will do, independent of which API shape carries it.
export interface Plan {
  deltas: string[]
  text: string
  delayMs: number
  finishReason: 'stop' | 'content_filter'
  interruption: { kind: 'drop', afterChunks: number } | { kind: 'hang' } | null
  usage: { inputTokens: number, outputTokens: number, reasoningTokens: number }
  /** A reasoning model's summary, streamed before the answer; empty for other models. */
  reasoningDeltas: string[]
}

const SLOW_DELAY_MS = 200
const SLOW_CHUNKS = 40
const FILTERED_AFTER_CHUNKS = 6
const DROP_AFTER_CHUNKS = 5

export function buildPlan(input: {
  userText: string
  triggers: Triggers
  inputTokens: number
  defaultDelayMs: number
  deployment?: string
  reasoningSummary?: boolean
  /** The answer from retrieved passages (grounded.ts), when the prompt carried them. */
  groundedReply?: string | null
}): Plan {
  const { triggers } = input
  let deltas = splitIntoDeltas(input.groundedReply ?? composeReply(input.userText, { long: triggers.long, html: triggers.html, deployment: input.deployment }))
  const reasoningDeltas = input.reasoningSummary ? splitIntoDeltas(composeReasoning(input.userText)) : []
  if (triggers.slow) deltas = groupDeltas(deltas, SLOW_CHUNKS)
  if (triggers.contentFilterOutput) deltas = deltas.slice(0, FILTERED_AFTER_CHUNKS)
  const delayMs = triggers.delayMs ?? (triggers.slow ? SLOW_DELAY_MS : input.defaultDelayMs)
  const interruption: Plan['interruption'] = triggers.hang
    ? { kind: 'hang' }
    : triggers.drop
      ? { kind: 'drop', afterChunks: Math.min(DROP_AFTER_CHUNKS, Math.max(1, deltas.length - 1)) }
      : null
  const text = deltas.join('')
  return {
    deltas,
    text,
    delayMs,
    finishReason: triggers.contentFilterOutput ? 'content_filter' : 'stop',
    interruption,
    usage: { inputTokens: input.inputTokens, outputTokens: countWords(text), reasoningTokens: countWords(reasoningDeltas.join('')) },
    reasoningDeltas,
  }
}
