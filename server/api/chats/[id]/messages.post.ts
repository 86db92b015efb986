import { z } from 'zod'
import { startTurn } from '../../../chat/turn'

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
  // A model id from GET /api/models; unset: the chat's own, else the default.
  model: z.string().max(64, 'must be a model id from /api/models').optional(),
  // The assistant a new chat begins with; ignored for a chat that exists (it keeps its own).
  assistantId: z.string().uuid('must be an assistant id from /api/assistants').optional(),
  // Document libraries to answer from: "me" (my library) and/or Entra group ids I belong to.
  libraries: z.array(z.string().trim().min(1).max(200)).max(20, 'at most 20 libraries').optional(),
}).refine(({ message }) => message.parts.some(p => p.text.trim()), { path: ['message', 'parts'], ...zodMessage('chat.messageEmpty') })

// One question and its answer: server/chat/turn.ts owns the whole turn.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id: chatId } = paramsWith(event, params)
  const { message, trigger, messageId, model, assistantId, libraries } = await readBodyWith(event, body)
  // A group the user is not in is as if it did not exist.
  if (libraries?.some(l => l !== 'me' && !user.groups.includes(l))) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.library', undefined, event) })
  if (model && !useServerConfig().azureOpenai.models.some(m => m.id === model)) {
    throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: say('chat.modelUnavailable', { model }, event), data: { field: 'model' } })
  }
  const mode = trigger === 'regenerate-message' ? 'regenerate' : messageId === message.id ? 'edit' : 'new'
  const text = message.parts.map(p => p.text).join('').trim()
  const { maxMessageChars } = useServerConfig().limits
  if (text.length > maxMessageChars) {
    throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: say('chat.messageTooLong', { limit: localNumber(maxMessageChars, event) }, event), data: { field: 'message.parts' } })
  }
  // Someone else's personal assistant, or an unpublished one, is as if it did not exist.
  const assistant = assistantId ? await getAssistantFor(assistantId, user.id) : undefined
  if (assistantId && !assistant) throw assistantNotFound()
  return startTurn(event, { userId: user.id, chatId, question: { id: message.id, text }, mode, model, assistant: assistant && { id: assistant.id, version: assistant.version }, grounding: { groups: user.groups, libraries } })
})
