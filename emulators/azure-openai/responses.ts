import { randomBytes } from 'node:crypto'
import type { Plan } from './plan.ts'
import { eventFrame, type SseFrames } from './sse.ts'

export interface ResponsesContext {
  deployment: string
  plan: Plan
}

const hexId = (prefix: string) => `${prefix}_${randomBytes(24).toString('hex')}`

function usageOf(plan: Plan) {
  const { inputTokens, outputTokens, reasoningTokens } = plan.usage
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens + reasoningTokens,
    output_tokens_details: { reasoning_tokens: reasoningTokens },
    total_tokens: inputTokens + outputTokens + reasoningTokens,
  }
}

function reasoningItem(itemId: string, plan: Plan) {
  return { id: itemId, type: 'reasoning', summary: [{ type: 'summary_text', text: plan.reasoningDeltas.join('') }] }
}

// Azure/OpenAI report a filtered answer on the Responses API as an incomplete response, not
// as an error, so the partial text stays usable.
function finalState(plan: Plan) {
  return plan.finishReason === 'content_filter'
    ? { status: 'incomplete', incomplete_details: { reason: 'content_filter' } }
    : { status: 'completed', incomplete_details: null }
}

function envelope(id: string, createdAt: number, deployment: string) {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: null,
    model: deployment,
    output: [] as unknown[],
    parallel_tool_calls: true,
    store: true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: null as unknown,
  }
}

function messageItem(itemId: string, text: string, status: string) {
  return {
    id: itemId,
    type: 'message',
    status,
    role: 'assistant',
    content: [{ type: 'output_text', annotations: [], logprobs: [], text }],
  }
}

export function responsesFrames({ deployment, plan }: ResponsesContext): SseFrames {
  const id = hexId('resp')
  const itemId = hexId('msg')
  const base = envelope(id, Math.floor(Date.now() / 1000), deployment)
  let seq = 0
  const ev = (type: string, fields: object) => eventFrame(type, { type, sequence_number: seq++, ...fields })
  const opening = [
    ev('response.created', { response: base }),
    ev('response.in_progress', { response: base }),
  ]
  // A reasoning model's summary is output item 0 and comes first; the answer follows it.
  const thinking = plan.reasoningDeltas.length > 0
  const reasoningId = hexId('rs')
  const outputIndex = thinking ? 1 : 0
  const at = { item_id: itemId, output_index: outputIndex, content_index: 0 }
  const final = finalState(plan)
  const doneItem = messageItem(itemId, plan.text, final.status)
  const summaryAt = { item_id: reasoningId, output_index: 0, summary_index: 0 }
  const summaryText = plan.reasoningDeltas.join('')
  const reasoningFrames = thinking
    ? [
        ev('response.output_item.added', { output_index: 0, item: { id: reasoningId, type: 'reasoning', summary: [] } }),
        ev('response.reasoning_summary_part.added', { ...summaryAt, part: { type: 'summary_text', text: '' } }),
        ...plan.reasoningDeltas.map(delta => ev('response.reasoning_summary_text.delta', { ...summaryAt, delta })),
        ev('response.reasoning_summary_text.done', { ...summaryAt, text: summaryText }),
        ev('response.reasoning_summary_part.done', { ...summaryAt, part: { type: 'summary_text', text: summaryText } }),
        ev('response.output_item.done', { output_index: 0, item: reasoningItem(reasoningId, plan) }),
      ]
    : []
  const output = thinking ? [reasoningItem(reasoningId, plan), doneItem] : [doneItem]

  const messageHead = [
    ev('response.output_item.added', {
      output_index: outputIndex,
      item: { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
    }),
    ev('response.content_part.added', { ...at, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } }),
  ]
  const deltas = plan.deltas.map(delta => ev('response.output_text.delta', { ...at, delta, logprobs: [] }))
  // The summary is paced like the answer, so the app's "Thinking…" is visible for a moment.
  const head = thinking ? opening : [...opening, ...messageHead]
  const body = thinking ? [...reasoningFrames, ...messageHead, ...deltas] : deltas
  const finalType = final.status === 'completed' ? 'response.completed' : 'response.incomplete'
  const tail = [
    ev('response.output_text.done', { ...at, text: plan.text, logprobs: [] }),
    ev('response.content_part.done', { ...at, part: doneItem.content[0] }),
    ev('response.output_item.done', { output_index: outputIndex, item: doneItem }),
    ev(finalType, { response: { ...base, ...final, output, usage: usageOf(plan) } }),
  ]
  return { head, body, tail }
}

export function responsesJson({ deployment, plan }: ResponsesContext) {
  const final = finalState(plan)
  return {
    ...envelope(hexId('resp'), Math.floor(Date.now() / 1000), deployment),
    ...final,
    output: [
      ...(plan.reasoningDeltas.length ? [reasoningItem(hexId('rs'), plan)] : []),
      messageItem(hexId('msg'), plan.text, final.status),
    ],
    usage: usageOf(plan),
  }
}
