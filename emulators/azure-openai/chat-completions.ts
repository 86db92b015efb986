import { randomBytes } from 'node:crypto'
import { filteredResults, promptFilterResults, safeResults } from './content-filter.ts'
import type { Plan } from './plan.ts'
import { dataFrame, type SseFrames } from './sse.ts'

export interface ChatContext {
  deployment: string
  plan: Plan
  includeUsage: boolean
}

const fingerprint = 'fp_emulator'

function finishFilterResults(plan: Plan) {
  return plan.finishReason === 'content_filter' ? filteredResults('violence', 'medium') : {}
}

function usageOf(plan: Plan) {
  const { inputTokens, outputTokens } = plan.usage
  return {
    completion_tokens: outputTokens,
    completion_tokens_details: {
      accepted_prediction_tokens: 0,
      audio_tokens: 0,
      reasoning_tokens: 0,
      rejected_prediction_tokens: 0,
    },
    prompt_tokens: inputTokens,
    prompt_tokens_details: { audio_tokens: 0, cached_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  }
}

export function chatFrames({ deployment, plan, includeUsage }: ChatContext): SseFrames {
  const id = `chatcmpl-${randomBytes(12).toString('base64url')}`
  const created = Math.floor(Date.now() / 1000)
  const meta = { created, id, model: deployment, object: 'chat.completion.chunk', system_fingerprint: fingerprint }
  const choice = (delta: object, finish: string | null, filter: object) => ({
    choices: [{ content_filter_results: filter, delta, finish_reason: finish, index: 0, logprobs: null }],
    ...meta,
  })
  // Azure opens with an anonymous chunk that only carries the prompt's filter results.
  const head = [
    dataFrame({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: promptFilterResults() }),
    dataFrame(choice({ content: '', refusal: null, role: 'assistant' }, null, {})),
  ]
  const body = plan.deltas.map(content => dataFrame(choice({ content }, null, safeResults())))
  const tail = [dataFrame(choice({}, plan.finishReason, finishFilterResults(plan)))]
  if (includeUsage) tail.push(dataFrame({ choices: [], ...meta, usage: usageOf(plan) }))
  tail.push('data: [DONE]\n\n')
  return { head, body, tail }
}

export function chatJson({ deployment, plan }: ChatContext) {
  return {
    choices: [
      {
        content_filter_results: plan.finishReason === 'content_filter' ? finishFilterResults(plan) : safeResults(),
        finish_reason: plan.finishReason,
        index: 0,
        logprobs: null,
        message: { annotations: [], content: plan.text, refusal: null, role: 'assistant' },
      },
    ],
    created: Math.floor(Date.now() / 1000),
    id: `chatcmpl-${randomBytes(12).toString('base64url')}`,
    model: deployment,
    object: 'chat.completion',
    prompt_filter_results: promptFilterResults(),
    system_fingerprint: fingerprint,
    usage: usageOf(plan),
  }
}
