// When the app sends retrieved passages in the system prompt ("[1] name, page 2:\ntext"), the
// emulator answers from them as a grounded model would: it quotes the passage that shares the
// most words with the question and cites its id, or says nothing relevant was found. So grounded
// answers and their citations are testable offline.

const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])

interface Passage { id: number, source: string, text: string }

function passagesOf(systemText: string): Passage[] | null {
  const start = systemText.indexOf('\nPassages:\n')
  if (start < 0) return null
  return [...systemText.slice(start).matchAll(/^\[(\d+)\] ([^\n]*):\n([\s\S]*?)(?=\n\n\[\d+\] |(?![\s\S]))/gm)]
    .map(m => ({ id: Number(m[1]), source: m[2]!, text: m[3]!.trim() }))
}

/** The grounded reply for this prompt, or null when the prompt holds no passages section. */
export function groundedReply(systemText: string, question: string): string | null {
  const passages = passagesOf(systemText)
  if (!passages) return null
  const asked = words(question)
  const scored = passages
    .map(p => ({ ...p, shared: [...words(p.text)].filter(w => asked.has(w)).length }))
    .filter(p => p.shared > 0)
    .sort((a, b) => b.shared - a.shared || a.id - b.id)
  const best = scored[0]
  if (!best) return 'The documents you can search do not cover this question.'
  const sentence = best.text.split(/(?<=[.!?])\s/)[0]!
  return `According to [${best.id}] (${best.source}): ${sentence}`
}
