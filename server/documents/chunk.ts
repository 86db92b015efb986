import type { Section } from './extract'

export interface Chunk { ordinal: number, page: number | null, heading: string | null, text: string }

// Sizes in characters, about four to a token: chunks of ~400–800 tokens, ~80 tokens repeated from
// the end of one chunk at the start of the next so a sentence cut at a boundary is found whole.
const TARGET_CHARS = 2400
const MAX_CHARS = 3200
const OVERLAP_CHARS = 320

/** A paragraph longer than a chunk, cut at sentence ends (or spaces) into pieces that fit. */
function pieces(paragraph: string): string[] {
  if (paragraph.length <= MAX_CHARS) return [paragraph]
  const out: string[] = []
  let rest = paragraph
  while (rest.length > MAX_CHARS) {
    const window = rest.slice(0, TARGET_CHARS)
    const cut = Math.max(window.lastIndexOf('. ') + 1, window.lastIndexOf(' '), 1)
    out.push(rest.slice(0, cut).trim())
    rest = rest.slice(cut).trim()
  }
  if (rest) out.push(rest)
  return out
}

/** The last words of a chunk, repeated at the start of the next. */
function overlapOf(text: string): string {
  if (text.length <= OVERLAP_CHARS) return text
  const tail = text.slice(-OVERLAP_CHARS)
  return tail.slice(tail.indexOf(' ') + 1)
}

/**
 * Cuts sections into chunks along paragraphs, never across a section (a page of a PDF, or what is
 * under one heading), so each chunk has one page and one heading to cite.
 */
export function chunkSections(sections: Section[]): Chunk[] {
  const chunks: Chunk[] = []
  for (const section of sections) {
    const paragraphs = section.text.split(/\n\s*\n/).map(p => p.replace(/\s+/g, ' ').trim()).filter(Boolean).flatMap(pieces)
    let current = ''
    let fresh = false
    const emit = () => {
      if (fresh) chunks.push({ ordinal: chunks.length, page: section.page, heading: section.heading, text: current })
      current = overlapOf(current)
      fresh = false
    }
    for (const paragraph of paragraphs) {
      if (fresh && current.length + paragraph.length + 2 > TARGET_CHARS) emit()
      current = current ? `${current}\n\n${paragraph}` : paragraph
      fresh = true
    }
    emit()
  }
  return chunks
}
