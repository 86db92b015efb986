import { streamText, type UIMessage } from 'ai'
import { consola } from 'consola'

const logger = consola.withTag('chat')

interface Generation {
  chatId: string
  assistantId: string
  controller: AbortController
  stoppedByUser: boolean
  /** Settles once the answer is stored, whatever happened to the stream. */
  stored: Promise<void>
}

const active = new Map<string, Generation>()

export function activeGenerations(): Generation[] {
  return [...active.values()]
}

export function isGenerating(chatId: string): boolean {
  return active.has(chatId)
}

/** The user pressed Stop: abort the upstream request now and keep what came as `partial`. */
export function stopGeneration(chatId: string, reason: 'user' | 'shutdown' = 'user'): boolean {
  const generation = active.get(chatId)
  if (!generation) return false
  generation.stoppedByUser = reason === 'user'
  generation.controller.abort(new Error(reason === 'user' ? 'Stopped by the user' : 'Server shutting down'))
  return true
}

type First = { kind: 'text' } | { kind: 'error', error: unknown } | { kind: 'end' }

/**
 * Streams the model's answer to the latest user message and stores it. The stream is consumed
 * here on the server, so a client that disconnects still gets its answer stored; only Stop (or a
 * failure) cuts it, and then what came is stored as `partial` or `failed`.
 */
export async function answer(input: { chatId: string, userId: string, assistantId: string, userMessage: UIMessage }): Promise<Response> {
  const config = useServerConfig()
  const history = await loadHistory(input.chatId, config.azureOpenai.contextBudgetTokens)
  await insertAssistantPlaceholder(input.chatId, input.assistantId, config.azureOpenai.deployment)

  const controller = new AbortController()
  const timeoutSeconds = config.azureOpenai.timeoutSeconds
  const firstTokenTimer = setTimeout(() => controller.abort(new ModelTimeoutError(timeoutSeconds)), timeoutSeconds * 1000)

  const result = streamText({
    model: getLanguageModel(),
    system: config.azureOpenai.systemPrompt,
    messages: history.map(turn => ({ role: turn.role, content: turn.text })),
    maxOutputTokens: config.azureOpenai.maxOutputTokens,
    maxRetries: 2,
    abortSignal: controller.signal,
    includeRawChunks: true,
  })

  let resolveFirst!: (first: First) => void
  const first = new Promise<First>((resolve) => {
    resolveFirst = resolve
  })
  const generation: Generation = { chatId: input.chatId, assistantId: input.assistantId, controller, stoppedByUser: false, stored: Promise.resolve() }
  active.set(input.chatId, generation)

  generation.stored = (async () => {
    let text = ''
    let failure: unknown
    let finishReason: string | undefined
    let aborted = false
    let usage: { inputTokens?: number, outputTokens?: number } = {}
    const categories = new Set<string>()
    let flushedAt = Date.now()
    try {
      for await (const part of result.fullStream) {
        if (part.type === 'text-delta') {
          clearTimeout(firstTokenTimer)
          text += part.text
          resolveFirst({ kind: 'text' })
          if (Date.now() - flushedAt > 1000) {
            flushedAt = Date.now()
            await saveAssistantMessage(input.assistantId, { text, status: 'partial' }).catch(() => {})
          }
        }
        else if (part.type === 'raw') {
          for (const c of filteredCategories(part.rawValue)) categories.add(c)
        }
        else if (part.type === 'finish') {
          finishReason = part.finishReason
          usage = { inputTokens: part.totalUsage.inputTokens, outputTokens: part.totalUsage.outputTokens }
        }
        else if (part.type === 'error') {
          failure = part.error
        }
        else if (part.type === 'abort') {
          aborted = true
        }
      }
    }
    catch (error) {
      if (controller.signal.aborted) aborted = true
      else failure = error
    }
    finally {
      clearTimeout(firstTokenTimer)
    }
    if (aborted && controller.signal.reason instanceof ModelTimeoutError) {
      failure = controller.signal.reason
      aborted = false
    }
    resolveFirst(failure ? { kind: 'error', error: failure } : { kind: 'end' })

    let status: 'complete' | 'partial' | 'failed' = 'complete'
    let error: string | null = null
    if (failure) {
      const problem = describeModelError(failure)
      logger.warn(`Answer ${input.assistantId} failed: ${problem.log}`)
      status = 'failed'
      error = problem.message
    }
    else if (aborted) {
      status = 'partial'
      error = generation.stoppedByUser ? 'Stopped before the answer was complete.' : 'The answer was interrupted by a server restart.'
    }
    else if (finishReason === 'content-filter') {
      status = 'partial'
      const named = categories.size ? ` (${[...categories].join(', ')})` : ''
      error = `The rest of this answer was withheld by the company's content filter${named}.`
    }
    else if (finishReason === 'length') {
      status = 'partial'
      error = 'The answer reached the maximum length and was cut.'
    }
    try {
      await saveAssistantMessage(input.assistantId, { text, status, error, ...usage })
      await recordTokenUsage(input.userId, (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0))
      await touchChat(input.chatId)
    }
    catch (saveError) {
      logger.error(`Could not store answer ${input.assistantId}: ${(saveError as Error).message}`)
    }
    finally {
      active.delete(input.chatId)
    }
  })()

  const firstEvent = await first
  if (firstEvent.kind === 'error') {
    await generation.stored
    const problem = describeModelError(firstEvent.error)
    throw createError({
      statusCode: problem.status,
      message: problem.message,
      data: { kind: problem.kind, retryAfterSeconds: problem.retryAfterSeconds, messageId: input.assistantId },
      ...(problem.retryAfterSeconds ? { headers: { 'Retry-After': String(problem.retryAfterSeconds) } } : {}),
    } as never)
  }

  return result.toUIMessageStreamResponse({
    originalMessages: [input.userMessage],
    generateMessageId: () => input.assistantId,
    onError: error => describeModelError(error).message,
    messageMetadata: ({ part }) => {
      if (part.type === 'finish') return { finishReason: part.finishReason }
      return undefined
    },
    headers: { 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' },
  })
}
