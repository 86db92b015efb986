import { embedMany } from 'ai'

// Azure accepts up to 2048 inputs a call; smaller batches keep one 429 from costing much work.
const BATCH = 64

/**
 * Embeddings of texts, in order, from the embedding deployment (AZURE_OPENAI_EMBEDDING_DEPLOYMENT)
 * on the default model's resource with its credential. The AI SDK retries a 429 honouring Azure's
 * retry-after-ms / Retry-After; a call that still fails throws, and the job is tried again later.
 */
export async function embedTexts(texts: string[], abortSignal?: AbortSignal): Promise<number[][]> {
  const model = getEmbeddingModel()
  const out: number[][] = []
  for (let i = 0; i < texts.length; i += BATCH) {
    const { embeddings } = await embedMany({ model, values: texts.slice(i, i + BATCH), maxRetries: 5, abortSignal })
    out.push(...embeddings)
  }
  return out
}
