import type { H3Event } from 'h3'
import { z } from 'zod'

const logger = taggedLogger('chat')

const params = z.object({ id: z.string().uuid('must be a UUID') })
const textPart = z.object({ type: z.literal('text'), text: z.string() })
const body = z.object({
  // The AI SDK UI-message format that useChat's DefaultChatTransport sends; we take only the new message.
  message: z.object({
    id: z.string().uuid('must be a UUID chosen by the client'),
    role: z.literal('user', { error: 'must be "user"' }),
    parts: z.array(textPart).min(1, 'must hold the message text'),
  }),
  trigger: z.enum(['submit-message', 'regenerate-message']).default('submit-message'),
  // Set by useChat when an earlier message is edited (submit) or an answer regenerated.
  messageId: z.string().uuid('must be a UUID').optional(),
})

export default defineEventHandler(async (event) => {
  // The chat is read for the user the cookie names while the session is checked; the read
  // counts only if the check confirms that user (one round trip instead of two in a row).
  const hintedUser = sessionUserHint(event)
  const routeId = getRouterParam(event, 'id')
  const chatRead = hintedUser && routeId && params.safeParse({ id: routeId }).success && databaseState().status === 'ready'
    ? getChatForUser(routeId, hintedUser).then(chat => chat ?? null, () => undefined)
    : undefined
  const user = await requireUser(event)
  const { id: chatId } = paramsWith(event, params)
  const { message, trigger, messageId } = await readBodyWith(event, body)
  const text = message.parts.map(p => p.text).join('').trim()
  const { limits, azureOpenai } = useServerConfig()
  if (!text) throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: 'Invalid message.parts: the message is empty.', data: { field: 'message.parts' } })
  if (text.length > limits.maxMessageChars) {
    throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: `Your message is too long: the limit is ${limits.maxMessageChars.toLocaleString('en')} characters.`, data: { field: 'message.parts' } })
  }
  if (isShuttingDown()) throw createError({ statusCode: 503, statusMessage: 'Service Unavailable', message: 'The server is restarting; please send again in a moment.' })

  // null: the chat does not exist yet; undefined: not known (another user, or the read failed).
  const known = chatRead && hintedUser === user.id ? await chatRead : undefined
  await ensureChat(chatId, user.id, text, known)

  // One answer per question, decided by the database: the answer's id derives from the
  // question's, and only the request that inserts it asks the model. Re-sends (a retry after a
  // network error, a double click, another replica) get the stored answer instead.
  const assistantId = answerIdFor(message.id)
  // An "edit" of a message that was never stored is simply a new message.
  const existing = trigger === 'regenerate-message' || messageId === message.id ? await getMessage(chatId, message.id) : undefined

  if (!existing && trigger === 'submit-message') {
    // The common case, a new question: counted, stored and its answer claimed in one statement,
    // while the history is read. Over a limit, the question stays stored and nothing is claimed.
    const limits = limitWindow(user.id)
    const [asked, history] = await Promise.allSettled([
      askQuestion({ chatId, questionId: message.id, answerId: assistantId, text, model: azureOpenai.deployment, limits }),
      loadHistory(chatId, azureOpenai.contextBudgetTokens, { id: message.id, text }),
    ])
    if (asked.status === 'rejected') throw asked.reason
    if (history.status === 'rejected') {
      // Left in place, an empty claimed answer would make every re-send wait for it.
      if (asked.value.claimed) await releaseClaim(chatId, assistantId)
      throw history.reason
    }
    refuseOverLimits(event, limits, asked.value.usage)
    if (asked.value.claimed) return answer(event, { chatId, userId: user.id, assistantId, history: history.value })
    // Not claimed: a re-send of a stored question, or an id that is someone else's.
    const [question, stored] = await Promise.all([getMessage(chatId, message.id), getMessage(chatId, assistantId)])
    if (!question || question.role !== 'user') {
      throw createError({ statusCode: 409, statusMessage: 'Conflict', message: 'This message id is already in use; send the message with a new id.' })
    }
    if (stored) return replayOrBusy(event, stored)
    return claimAndAnswer(event, { chatId, userId: user.id, assistantId })
  }

  // Regenerate (same question) or edit (new text): what came after it is replaced.
  if (!existing || existing.role !== 'user') throw createError({ statusCode: 404, statusMessage: 'Not Found', message: 'Message not found' })
  await enforceLimits(event, user.id)
  if (isGenerating(chatId)) throw busy()
  if (trigger === 'submit-message') await updateMessageText(message.id, text)
  await deleteMessagesAfter(chatId, message.id)
  return claimAndAnswer(event, { chatId, userId: user.id, assistantId })
})

async function claimAndAnswer(event: H3Event, input: { chatId: string, userId: string, assistantId: string }) {
  const { azureOpenai } = useServerConfig()
  // The history leaves out empty answers, so it can be read while the answer's row is claimed.
  const [claim, history] = await Promise.allSettled([
    claimAnswer(input.chatId, input.assistantId, azureOpenai.deployment),
    loadHistory(input.chatId, azureOpenai.contextBudgetTokens),
  ])
  if (claim.status === 'rejected') throw claim.reason
  if (history.status === 'rejected') {
    if (claim.value) await releaseClaim(input.chatId, input.assistantId)
    throw history.reason
  }
  if (!claim.value) {
    const stored = await getMessage(input.chatId, input.assistantId)
    if (stored) return replayOrBusy(event, stored)
    throw busy()
  }
  return answer(event, { ...input, history: history.value })
}

/** Takes back an answer's claim that will not be answered; a failure is logged, not thrown. */
async function releaseClaim(chatId: string, assistantId: string) {
  await deleteMessage(chatId, assistantId).catch((error: unknown) => {
    logger.error(`Could not release the claim of answer ${assistantId}: ${(error as Error).message}`)
  })
}

function replayOrBusy(event: H3Event, stored: { id: string, parts: unknown, status: string, error: string | null }) {
  // A `partial` answer without a reason is still being written (here or on another replica).
  if (stored.status === 'partial' && !stored.error) throw busy()
  return replayAnswer(event, stored)
}

function busy() {
  return createError({ statusCode: 409, statusMessage: 'Conflict', message: 'This chat is already being answered. Wait for the answer or press Stop.' })
}
