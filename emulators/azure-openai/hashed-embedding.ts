import { createHash } from 'node:crypto'

/** As many dimensions as text-embedding-3-small gives, so the app's vector(1536) column fits. */
export const EMBEDDING_DIMENSIONS = 1536

const words = (text: string) => text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []

/**
 * A deterministic stand-in for an embedding model: each word and each pair of neighbouring words
 * adds ±1 to a dimension chosen by its hash, and the sum is L2-normalised. Texts that share words
 * therefore point the same way (high cosine similarity), unrelated texts are near orthogonal, and
 * the same text always gets the same vector, so search results are testable offline.
 */
export function hashedEmbedding(text: string, dimensions = EMBEDDING_DIMENSIONS): number[] {
  const vector = Array.from<number>({ length: dimensions }).fill(0)
  const tokens = words(text)
  const grams = [...tokens, ...tokens.slice(1).map((word, i) => `${tokens[i]} ${word}`)]
  for (const gram of grams) {
    const hash = createHash('sha256').update(gram).digest()
    const index = hash.readUInt32BE(0) % dimensions
    // Bigrams weigh half: they sharpen phrase matches without drowning the single words.
    const weight = gram.includes(' ') ? 0.5 : 1
    vector[index]! += (hash[4]! & 1 ? 1 : -1) * weight
  }
  const norm = Math.hypot(...vector)
  // An empty text still gets a valid unit vector: the API never answers with zeros.
  if (norm === 0) return vector.map((_, i) => (i === 0 ? 1 : 0))
  return vector.map(v => v / norm)
}
