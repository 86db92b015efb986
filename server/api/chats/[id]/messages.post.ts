import type { UIMessage } from 'ai'
import { z } from 'zod'

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
  const user = await requireUser(event)
  const { id: chatId } = paramsWith(event, params)
  const { message, trigger, messageId } = await readBodyWith(event, body)
  const text = message.parts.map(p => p.text).join('').trim()
  const { limits } = useServerConfig()
  if (!text) throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: 'Invalid message.parts: the message is empty.', data: { field: 'message.parts' } })
  if (text.length > limits.maxMessageChars) {
    throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: `Your message is too long: the limit is ${limits.maxMessageChars.toLocaleString('en')} characters.`, data: { field: 'message.parts' } })
  }
  if (isShuttingDown()) throw createError({ statusCode: 503, statusMessage: 'Service Unavailable', message: 'The server is restarting; please send again in a moment.' })

  await ensureChat(chatId, user.id, text)
  // The common case, a new question, costs one insert; re-sends and edits read what is stored.
  let existing = trigger === 'regenerate-message' || messageId === message.id ? await getMessage(chatId, message.id) : undefined
  // An "edit" of a message that was never stored is simply a new message.
  const editing = trigger === 'regenerate-message' || !!existing
  // The limits are counted alongside the insert: one round trip instead of three in a row.
  const [inserted] = await Promise.all([
    !editing && insertUserMessage(chatId, message.id, text),
    enforceRequestRate(event, user.id),
    enforceTokenQuota(event, user.id),
  ])
  if (!editing && !inserted) existing = await getMessage(chatId, message.id)
  const rewrite = editing

  if (editing) {
    // Regenerate (same question) or edit (new text): what came after it is replaced.
    if (!existing || existing.role !== 'user') throw createError({ statusCode: 404, statusMessage: 'Not Found', message: 'Message not found' })
    if (isGenerating(chatId)) throw busy()
    if (trigger === 'submit-message') await updateMessageText(message.id, text)
    await deleteMessagesAfter(chatId, message.id)
  }
  else if (!inserted && !existing) {
    // The id belongs to someone else's message: say no without saying whose it is.
    throw createError({ statusCode: 409, statusMessage: 'Conflict', message: 'This message id is already in use; send the message with a new id.' })
  }

  // One answer per question, decided by the database: the answer's id derives from the
  // question's, and only the request that inserts it asks the model. Re-sends (a retry after a
  // network error, a double click, another replica) get the stored answer instead.
  const assistantId = answerIdFor(message.id)
  const userMessage = { id: message.id, role: 'user' as const, parts: [{ type: 'text' as const, text }] }
  if (!rewrite && !inserted) {
    const stored = await getMessage(chatId, assistantId)
    if (stored) return replayOrBusy(userMessage, stored)
  }
  const { azureOpenai } = useServerConfig()
  // The history leaves out empty answers, so it can be read while the answer's row is claimed.
  const [claimed, history] = await Promise.all([
    claimAnswer(chatId, assistantId, azureOpenai.deployment),
    loadHistory(chatId, azureOpenai.contextBudgetTokens),
  ])
  if (!claimed) {
    const stored = await getMessage(chatId, assistantId)
    if (stored) return replayOrBusy(userMessage, stored)
    throw busy()
  }
  return answer(event, { chatId, userId: user.id, assistantId, history })
})

function replayOrBusy(userMessage: UIMessage, stored: { id: string, parts: unknown, status: string, error: string | null }) {
  // A `partial` answer without a reason is still being written (here or on another replica).
  if (stored.status === 'partial' && !stored.error) throw busy()
  return replayAnswer(userMessage, stored)
}

function busy() {
  return createError({ statusCode: 409, statusMessage: 'Conflict', message: 'This chat is already being answered. Wait for the answer or press Stop.' })
}
