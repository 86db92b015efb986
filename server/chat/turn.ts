import { experimental_streamTextLowMemory as streamText } from 'ai'
import type { H3Event } from 'h3'
import { sql } from 'drizzle-orm'
import { LOCALES, type LocaleCode } from '../../shared/locales'
import type { Citation, MessageStatus } from '../database/schema'
import { groundedSystemPrompt, retrievePassages } from '../documents/grounding'
import { translate } from '../i18n'
import type { ModelConfig } from '../utils/deployments'
import { signalQueue, subscribe } from './turn-bus'
import * as store from './turn-store'

/*
 * A chat turn: one question and its answer, from claim to how it ended. This module is the only
 * writer of an answer's row, and its state lives in PostgreSQL so that any replica can serve it:
 *
 *   claimed (the answer's row inserted as `streaming`; one answer per question, decided by the
 *   database) -> streaming (the replica that claimed it asks Azure and beats every 2 s, storing
 *   the text so far) -> complete | truncated | stopped | failed | interrupted.
 *
 * Stop, asked on any replica, is recorded on the row and signalled on the control channel; the
 * answering replica aborts Azure and stores what it has. A client that reconnects on any replica
 * follows the turn: it asks the answering replica to publish, reads the stored text, then gets the
 * rest live (turn-store.ts has the signals). A replica that dies stops beating, and any replica's
 * sweep marks its turns `interrupted` with the text they had.
 */

const logger = taggedLogger('chat')

/** How often the answering replica beats (and stores the text so far). */
const HEARTBEAT_MS = 2000
/** A turn whose last beat is this old is taken for dead: three beats missed. */
const STALE_SECONDS = 6
/** How long a follower waits for the answering replica to publish before it reads the row alone. */
const SYNC_WAIT_MS = 3000
/** A NOTIFY payload must stay under 8000 bytes; JSON can spend 6 bytes on one character. */
const SIGNAL_CHARS = 1000

type Ending = Exclude<MessageStatus, 'streaming'>
type Client = ReturnType<typeof openUiMessageStream>

export interface Question { id: string, text: string }
export interface TurnRequest {
  userId: string
  chatId: string
  question: Question
  /** `regenerate`: answer the stored question again; `edit`: replace its text, then answer. */
  mode: 'new' | 'regenerate' | 'edit'
  /** The model id picked (validated by the route); unset: the chat's own, else the default. */
  model?: string
  /** The assistant a new chat begins with (checked by the route); an existing chat keeps its own. */
  assistant?: { id: string, version: number }
  /** Company documents: the asker's Entra groups, and the libraries picked for this question. */
  grounding: { groups: string[], libraries?: string[] }
}

/** The answers this replica is writing: what only it can do for them is abort Azure. */
interface RunningTurn {
  answerId: string
  controller: AbortController
  cut?: 'stopped' | 'interrupted' | 'restarted'
  text: string
  /** A reasoning model's summary, shown to the user and stored, never sent back as history. */
  reasoning: string
  /** How long the reasoning took, once the text began. */
  reasoningMs?: number
  publishedReasoning: number
  /** Someone follows: deltas are published from `published` on. */
  followed: boolean
  published: number
  publishScheduled: boolean
  syncQueued: boolean
  /** The turn's writes, one at a time and in order, so followers hear them in order. */
  queue: Promise<void>
  /** Settles once the answer's ending is stored. */
  stored: Promise<void>
}

const running = new Map<string, RunningTurn>()

function busy() {
  return createError({ statusCode: 409, statusMessage: 'Conflict', message: say('chat.busy') })
}

/** Answers a question (POST /api/chats/:id/messages): streams a new answer, follows one, or replays it. */
export async function startTurn(event: H3Event, request: TurnRequest): Promise<null> {
  if (isShuttingDown()) throw createError({ statusCode: 503, statusMessage: 'Service Unavailable', message: say('chat.restarting', undefined, event) })
  const { chatId, userId, question } = request
  const { models } = useServerConfig().azureOpenai
  const requested = request.model ? modelConfig(request.model) : undefined
  const answerId = store.answerIdFor(question.id)
  const existing = request.mode === 'new' ? undefined : await ownedMessage(chatId, userId, question.id)
  // An edit of a message that was never stored is simply a new message.
  if (!existing && request.mode !== 'regenerate') {
    // Chat, limits, question and claim in one statement, while the history is read.
    const limits = limitWindow(userId)
    // The history is read alongside, so within the picked model's context (the client always picks one).
    const model = { requested: requested?.id ?? null, known: models.map(m => m.id), fallback: models[0]!.id }
    const [asked, history] = await Promise.allSettled([
      store.askQuestion({ userId, chatId, title: titleFrom(question.text), questionId: question.id, answerId, text: question.text, model, assistant: request.assistant, limits }),
      loadHistory(chatId, (requested ?? modelConfig()).contextTokens, question),
    ])
    if (asked.status === 'rejected') throw asked.reason
    if (!asked.value.owned) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.chat', undefined, event) })
    if (history.status === 'rejected') {
      if (asked.value.claimed) await releaseClaim(chatId, answerId)
      throw history.reason
    }
    refuseOverLimits(event, limits, asked.value.usage)
    const systemPrompt = asked.value.systemPrompt ?? useServerConfig().azureOpenai.systemPrompt
    if (asked.value.claimed) return answer(event, { chatId, userId, answerId, model: modelConfig(asked.value.model), systemPrompt, grounding: request.grounding, history: history.value })
    // Not claimed: a re-send of a stored question, or an id that is someone else's.
    const [stored, storedAnswer] = await Promise.all([store.getMessage(chatId, question.id), store.getMessage(chatId, answerId)])
    if (stored?.role !== 'user') throw createError({ statusCode: 409, statusMessage: 'Conflict', message: say('chat.messageIdInUse', undefined, event) })
    if (storedAnswer) return storedAnswer.status === 'streaming' ? follow(event, chatId, answerId) : replay(event, storedAnswer)
    return claimAndAnswer(event, { chatId, userId, answerId, model: modelConfig(asked.value.model), systemPrompt, grounding: request.grounding })
  }
  // Regenerate (same question) or edit (new text): what came after it is replaced.
  if (existing?.role !== 'user') throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.message', undefined, event) })
  await enforceLimits(event, userId)
  if (request.mode === 'edit') await store.updateQuestionText(chatId, question.id, question.text)
  if (!await store.clearAfter(chatId, question.id)) throw busy()
  if (requested) await store.setChatModel(chatId, requested.id)
  const kept = existing.chat.assistantId ? await assistantPrompt(existing.chat.assistantId, existing.chat.assistantVersion ?? 1) : undefined
  const systemPrompt = kept ?? useServerConfig().azureOpenai.systemPrompt
  return claimAndAnswer(event, { chatId, userId, answerId, model: requested ?? modelConfig(existing.chat.model), systemPrompt, grounding: request.grounding })
}

/** The stored message, only in a chat of this user's (none in a chat not made yet, or not theirs). */
async function ownedMessage(chatId: string, userId: string, messageId: string) {
  const chat = await getChatForUser(chatId, userId)
  const message = chat ? await store.getMessage(chatId, messageId) : undefined
  return message && { ...message, chat: chat! }
}

async function claimAndAnswer(event: H3Event, input: { chatId: string, userId: string, answerId: string, model: ModelConfig, systemPrompt: string, grounding: TurnRequest['grounding'] }): Promise<null> {
  // The history leaves out empty answers, so it can be read while the answer's row is claimed.
  const [claim, history] = await Promise.allSettled([
    store.claimAnswer(input.chatId, input.answerId, input.model.id),
    loadHistory(input.chatId, input.model.contextTokens),
  ])
  if (claim.status === 'rejected') throw claim.reason
  if (history.status === 'rejected') {
    if (claim.value) await releaseClaim(input.chatId, input.answerId)
    throw history.reason
  }
  if (claim.value) return answer(event, { ...input, history: history.value })
  const stored = await store.getMessage(input.chatId, input.answerId)
  if (stored?.status === 'streaming') return follow(event, input.chatId, input.answerId)
  if (stored) return replay(event, stored)
  throw busy()
}

/** Left in place, an empty claimed answer would make every re-send follow a turn nobody answers. */
async function releaseClaim(chatId: string, answerId: string) {
  await store.releaseClaim(chatId, answerId).catch((error: unknown) => {
    logger.error(`Could not release the claim of answer ${answerId}: ${(error as Error).message}`)
  })
}

/** GET /api/chats/:id/stream: the answer being written, from its first word; 204 when there is none. */
export async function followTurn(event: H3Event, input: { userId: string, chatId: string }): Promise<null> {
  await requireChat(input.chatId, input.userId)
  const answerId = await store.findStreamingAnswer(input.chatId, input.userId)
  if (!answerId) {
    setResponseStatus(event, 204)
    return null
  }
  return follow(event, input.chatId, answerId)
}

/** POST /api/chats/:id/stop, on any replica: answers once the answer's ending is stored. */
export async function stopTurn(input: { userId: string, chatId: string }) {
  await requireChat(input.chatId, input.userId)
  const answerId = await store.findStreamingAnswer(input.chatId, input.userId)
  if (answerId) {
    const signals = await signalQueue<store.TurnSignal>(store.turnChannel(answerId))
    try {
      await store.requestStop(input.chatId, input.userId)
      // The end is signalled; the row is read too, in case the signal was missed (a reconnect)
      // or the answering replica died (the sweep ends the turn within STALE_SECONDS).
      const deadline = Date.now() + (STALE_SECONDS + 6) * 1000
      while (Date.now() < deadline) {
        const signal = await signals.next(1000)
        if (signal?.k === 'end') break
        if (!signal && (await store.getMessage(input.chatId, answerId))?.status !== 'streaming') break
      }
    }
    finally {
      signals.close()
    }
    const stored = await store.getMessage(input.chatId, answerId)
    return { stopped: stored?.status === 'stopped', message: stored ? answerSummary(stored) : null }
  }
  const [latest] = (await listMessages(input.chatId, { limit: 1 })).messages
  return { stopped: false, message: latest?.role === 'assistant' ? answerSummary(latest) : null }
}

function answerSummary(stored: { id: string, parts: unknown, status: MessageStatus, error: string | null }) {
  return { id: stored.id, status: stored.status, error: stored.error, text: textOf(stored.parts) }
}

/** Before a chat is deleted: its answer, wherever it runs, stops calling Azure. */
export async function stopTurnsOf(chatId: string, userId: string): Promise<void> {
  await store.requestStop(chatId, userId)
}

/**
 * Streams the model's answer to the latest question and stores it. One loop reads the model on
 * the server, stores the answer and forwards each piece to the browser; a browser that goes away
 * stops receiving but the answer is still finished and stored. Only Stop, a failure or the end of
 * the process cut it, and then what came is stored with the reason.
 */
async function answer(event: H3Event, input: { chatId: string, userId: string, answerId: string, model: ModelConfig, systemPrompt: string, grounding: TurnRequest['grounding'], history: Array<{ role: 'user' | 'assistant', text: string }> }): Promise<null> {
  const config = useServerConfig()
  const controller = new AbortController()
  const timeoutSeconds = config.azureOpenai.timeoutSeconds
  const firstTokenTimer = setTimeout(() => controller.abort(new ModelTimeoutError(timeoutSeconds)), timeoutSeconds * 1000)
  // The sentences stored with the answer are in the language of the request that asked for it.
  const locale = requestLocale(event)
  const grounded = await groundAnswer({ ...input, systemPrompt: withReaderLanguage(input.systemPrompt, locale) })

  const result = streamText({
    model: getLanguageModel(input.model),
    system: grounded.systemPrompt,
    messages: input.history.map(turn => ({ role: turn.role, content: turn.text })),
    maxOutputTokens: input.model.maxOutputTokens,
    providerOptions: providerOptionsFor(input.model),
    maxRetries: 2,
    abortSignal: controller.signal,
    includeRawChunks: true,
    // The SDK's default logs the whole request, message text included; we log our own line.
    onError: () => {},
  })

  const turn: RunningTurn = {
    answerId: input.answerId,
    controller,
    text: '',
    reasoning: '',
    publishedReasoning: 0,
    followed: false,
    published: 0,
    publishScheduled: false,
    syncQueued: false,
    queue: Promise.resolve(),
    stored: Promise.resolve(),
  }
  running.set(input.answerId, turn)
  const heartbeat = setInterval(() => enqueue(turn, () => beat(turn)), HEARTBEAT_MS)
  const requestId = event.context.requestId as string | undefined
  const startedAt = performance.now()
  const client = openUiMessageStream(event)
  let firstText!: (failure?: unknown) => void
  const first = new Promise<unknown>((resolve) => {
    firstText = resolve
  })

  // The answer opens at its first word of reasoning or text; the reasoning closes when the text begins.
  let opened = false
  let textOpen = false
  let reasoningStartedAt: number | undefined
  const open = () => {
    if (opened) return
    opened = true
    clearTimeout(firstTokenTimer)
    client.emit({ type: 'start', messageId: input.answerId })
    // The sources come before the words that cite them, so the client can link [n] as it streams.
    if (grounded.citations) client.emit({ type: 'data-citations', data: grounded.citations })
    firstText()
  }
  const closeReasoning = () => {
    if (reasoningStartedAt === undefined || turn.reasoningMs !== undefined) return
    turn.reasoningMs = Math.round(performance.now() - reasoningStartedAt)
    client.emit({ type: 'reasoning-end', id: 'reasoning', providerMetadata: { assistant: { durationMs: turn.reasoningMs } } })
  }

  turn.stored = (async () => {
    let failure: unknown
    let finishReason: string | undefined
    let aborted = false
    let usage: { inputTokens?: number, outputTokens?: number } = {}
    let azureRequestId: string | undefined
    const categories = new Set<string>()
    try {
      for await (const part of result.fullStream) {
        if (part.type === 'reasoning-delta') {
          open()
          if (reasoningStartedAt === undefined) {
            reasoningStartedAt = performance.now()
            client.emit({ type: 'reasoning-start', id: 'reasoning' })
          }
          turn.reasoning += part.text
          client.emit({ type: 'reasoning-delta', id: 'reasoning', delta: part.text })
          if (turn.followed) schedulePublish(turn)
        }
        else if (part.type === 'text-delta') {
          open()
          closeReasoning()
          if (!textOpen) {
            textOpen = true
            client.emit({ type: 'text-start', id: 'text' })
          }
          turn.text += part.text
          client.emit({ type: 'text-delta', id: 'text', delta: part.text })
          if (turn.followed) schedulePublish(turn)
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
      clearInterval(heartbeat)
    }
    if (aborted && controller.signal.reason instanceof ModelTimeoutError) {
      failure = controller.signal.reason
      aborted = false
    }
    const ending = endingOf({ failure, aborted, cut: turn.cut, finishReason, categories }, locale)
    if (failure) logger.warn({ requestId, userId: input.userId, messageId: input.answerId }, `Answer failed: ${describeModelError(failure).log}`)

    // The ending goes last in the turn's queue, after what followers are still owed.
    const text = turn.text
    closeReasoning()
    const reasoning = turn.reasoning ? { text: turn.reasoning, durationMs: turn.reasoningMs ?? 0 } : undefined
    enqueue(turn, () => store.finishAnswer(input, { text, reasoning, ...ending, ...usage, costWeight: input.model.costWeight }))
    await turn.queue
    running.delete(input.answerId)
    // The Azure request id lets the operator find this call in Azure's own logs.
    logger.info({
      requestId,
      userId: input.userId,
      messageId: input.answerId,
      model: input.model.id,
      status: ending.status,
      azureRequestId,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      reasoningMs: turn.reasoningMs,
      durationMs: Math.round(performance.now() - startedAt),
    }, `Answer ${ending.status}`)
    if (opened) {
      if (!textOpen) client.emit({ type: 'text-start', id: 'text' })
      endStream(client, { ...ending, finishReason }, locale)
    }
    client.close()
    firstText(failure)
  })()

  const failure = await first
  if (failure) {
    // Failed before its first token: the request answers with Azure's problem, stored as `failed`.
    const problem = describeModelError(failure, locale)
    if (problem.retryAfterSeconds) setResponseHeader(event, 'Retry-After', problem.retryAfterSeconds)
    setResponseHeader(event, 'Content-Language', locale)
    throw createError({
      statusCode: problem.status,
      message: problem.message,
      data: { kind: problem.kind, retryAfterSeconds: problem.retryAfterSeconds, messageId: input.answerId },
    })
  }
  // The answer already flows through client.emit(); h3 leaves a response whose headers are sent.
  return null
}

/**
 * Tells the model the reader's language, so that a message whose language is unclear (a name, a
 * code snippet) is not answered in English to someone who reads the app in German. English readers
 * get no sentence: English is the model's own fallback, and the prompts they send stay as they were.
 */
function withReaderLanguage(systemPrompt: string, locale: LocaleCode): string {
  if (locale === 'en') return systemPrompt
  const language = LOCALES.find(l => l.code === locale)!.modelName
  return `${systemPrompt}\n\nThe user's interface language is ${language}. Reply in the language the user writes in; if that is unclear, reply in ${language}.`
}

/**
 * Company documents for this answer: the passages retrieved for the question (and the question
 * before it, for a follow-up), put in the system prompt and stored with the answer as its
 * citations. A search that fails leaves the answer ungrounded, and the model is told to say so.
 */
async function groundAnswer(input: { chatId: string, userId: string, answerId: string, systemPrompt: string, grounding: TurnRequest['grounding'], history: Array<{ role: 'user' | 'assistant', text: string }> }): Promise<{ systemPrompt: string, citations?: Citation[] }> {
  const questions = input.history.filter(turn => turn.role === 'user').map(turn => turn.text)
  let citations: Citation[] | undefined
  try {
    citations = await retrievePassages({ userId: input.userId, chatId: input.chatId, groups: input.grounding.groups, libraries: input.grounding.libraries, question: questions.at(-1) ?? '', previousQuestion: questions.at(-2) })
  }
  catch (error) {
    logger.warn({ userId: input.userId, messageId: input.answerId }, `Document search failed: ${(error as Error).message}`)
    return { systemPrompt: `${input.systemPrompt}\n\nThe company documents could not be searched just now: say so if the question is about them.` }
  }
  if (!citations) return { systemPrompt: input.systemPrompt }
  await useDb().execute(sql`UPDATE messages SET citations = ${JSON.stringify(citations)}::jsonb WHERE id = ${input.answerId}`)
  return { systemPrompt: groundedSystemPrompt(input.systemPrompt, citations), citations }
}

function endingOf(input: { failure: unknown, aborted: boolean, cut: RunningTurn['cut'], finishReason?: string, categories: Set<string> }, locale: LocaleCode): { status: Ending, error: string | null } {
  if (input.failure) return { status: 'failed', error: describeModelError(input.failure, locale).message }
  if (input.aborted) {
    if (input.cut === 'stopped') return { status: 'stopped', error: translate(locale, 'chat.stopped') }
    return { status: 'interrupted', error: translate(locale, input.cut === 'restarted' ? 'chat.restarted' : 'chat.interrupted') }
  }
  if (input.finishReason === 'content-filter') {
    const named = input.categories.size ? ` (${[...input.categories].join(', ')})` : ''
    return { status: 'truncated', error: translate(locale, 'chat.contentFilterCut', { categories: named }) }
  }
  if (input.finishReason === 'length') return { status: 'truncated', error: translate(locale, 'chat.maxLength') }
  return { status: 'complete', error: null }
}

function enqueue(turn: RunningTurn, write: () => Promise<void>) {
  turn.queue = turn.queue.then(write).catch((error: unknown) => {
    logger.error(`Could not store answer ${turn.answerId}: ${(error as Error).message}`)
  })
}

function cut(turn: RunningTurn, why: NonNullable<RunningTurn['cut']>) {
  if (turn.controller.signal.aborted) return
  turn.cut = why
  turn.controller.abort(new Error(why === 'stopped' ? 'Stopped by the user' : 'The turn was interrupted'))
}

/** The text so far and a sign of life; a Stop whose signal was missed is found here too. */
async function beat(turn: RunningTurn, sync = false) {
  const text = turn.text
  const reasoning = turn.reasoning
  if (sync && !turn.followed) {
    turn.followed = true
    turn.published = text.length
    turn.publishedReasoning = reasoning.length
  }
  const state = await store.beat(turn.answerId, text, sync ? text.length : undefined, reasoning ? { text: reasoning, durationMs: turn.reasoningMs } : undefined)
  // Swept as interrupted by another replica (this one looked dead), or its chat was deleted.
  if (!state.alive) cut(turn, 'interrupted')
  else if (state.stopRequested) cut(turn, 'stopped')
}

function schedulePublish(turn: RunningTurn) {
  if (turn.publishScheduled) return
  turn.publishScheduled = true
  // Text that arrives within one tick goes out as one signal.
  setImmediate(() => enqueue(turn, async () => {
    turn.publishScheduled = false
    const reasoningFrom = turn.publishedReasoning
    const reasoning = turn.reasoning
    turn.publishedReasoning = reasoning.length
    for (let at = reasoningFrom; at < reasoning.length; at += SIGNAL_CHARS) {
      await store.publish(store.turnChannel(turn.answerId), { k: 'r', o: at, t: reasoning.slice(at, at + SIGNAL_CHARS) })
    }
    const from = turn.published
    const text = turn.text
    turn.published = text.length
    for (let at = from; at < text.length; at += SIGNAL_CHARS) {
      const took = at === 0 && turn.reasoningMs !== undefined ? { rm: turn.reasoningMs } : {}
      await store.publish(store.turnChannel(turn.answerId), { k: 'd', o: at, t: text.slice(at, at + SIGNAL_CHARS), ...took })
    }
  }))
}

/** A follower on some replica asked for the text so far: store it, say so, publish from then on. */
function onSyncAsked(turn: RunningTurn) {
  if (turn.syncQueued) return
  turn.syncQueued = true
  enqueue(turn, () => {
    turn.syncQueued = false
    return beat(turn, true)
  })
}

/**
 * Follows an answer being written, here or on another replica: the text so far, then the rest as
 * it comes, in the same UI message stream as the original request, then its ending.
 */
async function follow(event: H3Event, chatId: string, answerId: string): Promise<null> {
  const signals = await signalQueue<store.TurnSignal>(store.turnChannel(answerId))
  const client = openUiMessageStream(event)
  event.node.res.once('close', () => signals.close())
  try {
    // Ended before we listened: no one would answer a sync. Ending after this read is heard.
    let stored = await store.getMessage(chatId, answerId)
    if (stored?.status === 'streaming') {
      await store.publish(store.CONTROL_CHANNEL, { k: 'sync', id: answerId })
      // Deltas heard before the sync are already in the text it announces.
      const deadline = Date.now() + SYNC_WAIT_MS
      for (let signal; Date.now() < deadline;) {
        signal = await signals.next(deadline - Date.now())
        if (!signal || (signal.k !== 'd' && signal.k !== 'r')) break
      }
      stored = await store.getMessage(chatId, answerId)
    }
    if (!stored) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.message', undefined, event) })
    client.emit({ type: 'start', messageId: answerId })
    if (stored.citations) client.emit({ type: 'data-citations', data: stored.citations })
    // A reasoning summary, like the text: what is stored, then the live rest; it ends where the text begins.
    let thought = 0
    let thinking: 'no' | 'open' | 'done' = 'no'
    const think = (offset: number, text: string) => {
      if (thinking === 'done' || offset > thought) return
      const fresh = text.slice(thought - offset)
      if (!fresh) return
      if (thinking === 'no') client.emit({ type: 'reasoning-start', id: 'reasoning' })
      thinking = 'open'
      client.emit({ type: 'reasoning-delta', id: 'reasoning', delta: fresh })
      thought += fresh.length
    }
    const doneThinking = (durationMs: number | undefined) => {
      if (thinking !== 'open') return
      thinking = 'done'
      client.emit({ type: 'reasoning-end', id: 'reasoning', ...(durationMs === undefined ? {} : { providerMetadata: { assistant: { durationMs } } }) })
    }
    const readStored = (row: { parts: unknown }) => {
      const reasoning = reasoningOf(row.parts)
      if (reasoning) think(0, reasoning.text)
      if (textOf(row.parts)) doneThinking(reasoning?.durationMs)
    }
    readStored(stored)
    client.emit({ type: 'text-start', id: 'text' })
    let sent = 0
    // Text that starts at `offset`; what was sent already is skipped. A signal beyond what was sent
    // (none should be) is left to the stored text read at the end.
    const send = (offset: number, text: string) => {
      if (offset > sent) return
      const fresh = text.slice(sent - offset)
      if (!fresh) return
      client.emit({ type: 'text-delta', id: 'text', delta: fresh })
      sent += fresh.length
    }
    send(0, textOf(stored.parts))
    while (stored.status === 'streaming' && !event.node.res.closed) {
      const signal = await signals.next(HEARTBEAT_MS * 2)
      if (signal?.k === 'r') {
        think(signal.o, signal.t)
        continue
      }
      if (signal?.k === 'd') {
        if (signal.t) doneThinking(signal.rm)
        send(signal.o, signal.t)
        continue
      }
      // The end, or quiet for two beats (the answering replica cannot publish): read the row.
      stored = (await store.getMessage(chatId, answerId)) ?? { ...stored, status: 'interrupted', error: say('chat.interrupted', undefined, event) }
      readStored(stored)
      send(0, textOf(stored.parts))
    }
    if (stored.status !== 'streaming') {
      doneThinking(reasoningOf(stored.parts)?.durationMs)
      endStream(client, { status: stored.status, error: stored.error }, requestLocale(event))
    }
    return null
  }
  finally {
    signals.close()
    client.close()
  }
}

/** A stored answer, in the same UI message stream as a live one. */
function replay(event: H3Event, stored: store.StoredAnswer): null {
  const client = openUiMessageStream(event)
  client.emit({ type: 'start', messageId: stored.id })
  if (stored.citations) client.emit({ type: 'data-citations', data: stored.citations })
  const reasoning = reasoningOf(stored.parts)
  if (reasoning) {
    client.emit({ type: 'reasoning-start', id: 'reasoning' })
    client.emit({ type: 'reasoning-delta', id: 'reasoning', delta: reasoning.text })
    client.emit({ type: 'reasoning-end', id: 'reasoning', providerMetadata: { assistant: { durationMs: reasoning.durationMs } } })
  }
  client.emit({ type: 'text-start', id: 'text' })
  const text = textOf(stored.parts)
  if (text) client.emit({ type: 'text-delta', id: 'text', delta: text })
  endStream(client, { status: stored.status, error: stored.error, replayed: true }, requestLocale(event))
  client.close()
  return null
}

function endStream(client: Client, ending: { status: MessageStatus, error: string | null, finishReason?: string, replayed?: boolean }, locale: LocaleCode) {
  client.emit({ type: 'text-end', id: 'text' })
  if (ending.status === 'failed') client.emit({ type: 'error', errorText: ending.error ?? translate(locale, 'chat.failed') })
  client.emit({ type: 'finish', messageMetadata: ending })
}

/**
 * Every replica listens for Stop and for followers, and sweeps the turns of replicas that died.
 * Started once the database is ready; resolves once listening.
 */
export async function startTurnService(options: { singleProcess: boolean }): Promise<() => void> {
  const unsubscribe = await subscribe<store.ControlSignal>(store.CONTROL_CHANNEL, (signal) => {
    const turn = running.get(signal.id)
    if (!turn) return
    if (signal.k === 'stop') cut(turn, 'stopped')
    else if (signal.k === 'sync') onSyncAsked(turn)
  })
  // No request asks for a sweep: whoever wrote the answer is unknown here, so its sentence is English.
  const sweep = (staleSeconds: number) => store.sweepInterrupted(staleSeconds, translate('en', 'chat.interrupted')).then(
    (count) => {
      if (count) logger.warn(`Marked ${count} answer(s) interrupted: the replica writing them stopped`)
    },
    (error: unknown) => logger.warn(`Could not sweep interrupted answers: ${(error as Error).message}`),
  )
  // PGlite belongs to one process: whatever was streaming at start-up was this process's before a crash.
  await sweep(options.singleProcess ? 0 : STALE_SECONDS)
  const timer = setInterval(() => void sweep(STALE_SECONDS), HEARTBEAT_MS)
  timer.unref()
  return () => {
    clearInterval(timer)
    unsubscribe()
  }
}

/** For a graceful shutdown: how many answers this replica writes, and a promise for their endings. */
export function runningTurns(): { count: number, stored: Promise<unknown> } {
  const turns = [...running.values()]
  return { count: turns.length, stored: Promise.all(turns.map(t => t.stored)) }
}

/** The end of the grace period: the answers still running here are cut and stored as interrupted. */
export function cutRunningTurns(): number {
  const turns = [...running.values()]
  for (const turn of turns) cut(turn, 'restarted')
  return turns.length
}
