import { experimental_streamTextLowMemory as streamText } from 'ai'
import type { H3Event } from 'h3'

const logger = taggedLogger('chat')

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

/**
 * The user pressed Stop: abort the upstream request now and keep what came as `partial`.
 * Resolves once that partial answer is stored (false when nothing was being answered here).
 */
export async function stopGeneration(chatId: string, reason: 'user' | 'shutdown' = 'user'): Promise<boolean> {
  const generation = active.get(chatId)
  if (!generation) return false
  generation.stoppedByUser = reason === 'user'
  generation.controller.abort(new Error(reason === 'user' ? 'Stopped by the user' : 'Server shutting down'))
  await generation.stored
  return true
}

type First = { kind: 'text' } | { kind: 'error', error: unknown } | { kind: 'end' }

/**
 * Streams the model's answer to the latest user message and stores it. One loop reads the model
 * stream on the server, stores the answer and forwards each piece to the browser; a browser that
 * disconnects stops receiving but the answer is still finished and stored. Only Stop (or a
 * failure) cuts it, and then what came is stored as `partial` or `failed`.
 */
export async function answer(event: H3Event, input: { chatId: string, userId: string, assistantId: string, history: Array<{ role: 'user' | 'assistant', text: string }> }): Promise<null> {
  const config = useServerConfig()

  const controller = new AbortController()
  const timeoutSeconds = config.azureOpenai.timeoutSeconds
  const firstTokenTimer = setTimeout(() => controller.abort(new ModelTimeoutError(timeoutSeconds)), timeoutSeconds * 1000)

  const result = streamText({
    model: getLanguageModel(),
    system: config.azureOpenai.systemPrompt,
    messages: input.history.map(turn => ({ role: turn.role, content: turn.text })),
    maxOutputTokens: config.azureOpenai.maxOutputTokens,
    maxRetries: 2,
    abortSignal: controller.signal,
    includeRawChunks: true,
    // The SDK's default logs the whole request, message text included; we log our own line.
    onError: () => {},
  })

  let resolveFirst!: (first: First) => void
  const first = new Promise<First>((resolve) => {
    resolveFirst = resolve
  })
  const requestId = event.context.requestId as string | undefined
  const startedAt = performance.now()
  const generation: Generation = { chatId: input.chatId, assistantId: input.assistantId, controller, stoppedByUser: false, stored: Promise.resolve() }
  active.set(input.chatId, generation)
  const client = openUiMessageStream(event)
  const textId = 'text'

  generation.stored = (async () => {
    let text = ''
    let failure: unknown
    let finishReason: string | undefined
    let aborted = false
    let usage: { inputTokens?: number, outputTokens?: number } = {}
    let azureRequestId: string | undefined
    const categories = new Set<string>()
    let flushedAt = Date.now()
    try {
      for await (const part of result.fullStream) {
        if (part.type === 'text-delta') {
          if (!text) {
            clearTimeout(firstTokenTimer)
            client.emit({ type: 'start', messageId: input.assistantId })
            client.emit({ type: 'text-start', id: textId })
            resolveFirst({ kind: 'text' })
          }
          text += part.text
          client.emit({ type: 'text-delta', id: textId, delta: part.text })
          // Saved as it grows (every few seconds, not every token): a killed process keeps most of it.
          if (Date.now() - flushedAt > 3000) {
            flushedAt = Date.now()
            await saveAssistantMessage(input.assistantId, { text, status: 'partial' }).catch(() => {})
          }
        }
        else if (part.type === 'raw') {
          for (const c of filteredCategories(part.rawValue)) categories.add(c)
        }
        else if (part.type === 'finish-step') {
          const headers = (part.response as { headers?: Record<string, string> } | undefined)?.headers
          azureRequestId = headers?.['apim-request-id'] ?? headers?.['x-request-id'] ?? azureRequestId
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

    let status: 'complete' | 'partial' | 'failed' = 'complete'
    let error: string | null = null
    if (failure) {
      const problem = describeModelError(failure)
      logger.warn({ requestId, userId: input.userId, messageId: input.assistantId }, `Answer failed: ${problem.log}`)
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
    // Written together; each failure is logged on its own, and nothing goes on before all ended.
    const writes = await Promise.allSettled([
      saveAssistantMessage(input.assistantId, { text, status, error, ...usage }),
      recordTokenUsage(input.userId, (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0)),
      touchChat(input.chatId),
    ])
    active.delete(input.chatId)
    for (const write of writes) {
      if (write.status === 'rejected') logger.error(`Could not store answer ${input.assistantId}: ${(write.reason as Error).message}`)
    }
    // The Azure request id lets the operator find this call in Azure's own logs.
    logger.info({
      requestId,
      userId: input.userId,
      messageId: input.assistantId,
      status,
      azureRequestId,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      durationMs: Math.round(performance.now() - startedAt),
    }, `Answer ${status}`)
    if (text) {
      client.emit({ type: 'text-end', id: textId })
      if (status === 'failed') client.emit({ type: 'error', errorText: error! })
      client.emit({ type: 'finish', messageMetadata: { status, error, finishReason } })
    }
    client.close()
    resolveFirst(failure ? { kind: 'error', error: failure } : { kind: 'end' })
  })()

  const firstEvent = await first
  if (firstEvent.kind === 'error') {
    const problem = describeModelError(firstEvent.error)
    if (problem.retryAfterSeconds) setResponseHeader(event, 'Retry-After', problem.retryAfterSeconds)
    throw createError({
      statusCode: problem.status,
      message: problem.message,
      data: { kind: problem.kind, retryAfterSeconds: problem.retryAfterSeconds, messageId: input.assistantId },
    })
  }
  // The answer already flows through client.emit() (the first token was written); h3 leaves a
  // response whose headers are sent alone.
  return null
}
