import type { ApiKind } from './types.ts'

export interface PromptSummary {
  lastUserText: string
  inputTokens: number
  texts: string[]
}

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

// Both APIs allow content as a plain string or as an array of typed parts; only the text parts
// matter here (input_text for Responses, text for Chat Completions).
function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map(part => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
    .filter(Boolean)
    .join('\n')
}

export const countWords = (text: string): number => text.split(/\s+/).filter(Boolean).length

function messagesOf(api: ApiKind, body: Json): { role: string, text: string }[] {
  const items = api === 'responses' ? body.input : body.messages
  const out: { role: string, text: string }[] = []
  if (api === 'responses' && typeof body.instructions === 'string') {
    out.push({ role: 'system', text: body.instructions })
  }
  if (typeof items === 'string') {
    out.push({ role: 'user', text: items })
  }
  else if (Array.isArray(items)) {
    for (const item of items) {
      if (isObject(item) && typeof item.role === 'string') out.push({ role: item.role, text: textOf(item.content) })
    }
  }
  return out
}

// Usage is counted in words so numbers are stable across runs and easy to assert on.
export function summarizePrompt(api: ApiKind, body: Json): PromptSummary {
  const messages = messagesOf(api, body)
  const lastUser = messages.filter(m => m.role === 'user').at(-1)
  return {
    lastUserText: lastUser?.text ?? '',
    texts: messages.map(m => m.text),
    inputTokens: messages.reduce((n, m) => n + countWords(m.text), 0),
  }
}
