import { z } from 'zod'
import { feedbackRatings, feedbackReasons } from '../../../../../database/schema'

const params = z.object({ id: z.string().uuid('must be a UUID'), messageId: z.string().uuid('must be a UUID') })
const body = z.object({
  rating: z.enum(feedbackRatings, { error: 'must be up or down' }),
  reason: z.enum(feedbackReasons, { error: 'must be wrong, harmful, unhelpful or other' }).nullish(),
  comment: z.string().trim().max(2000, zodMessage('validation.maxChars', { max: 2000 })).nullish(),
}).transform(b => ({
  rating: b.rating,
  // A reason and a comment explain a thumbs down; a thumbs up keeps only a comment.
  reason: b.rating === 'down' ? b.reason ?? null : null,
  comment: b.comment || null,
}))

// Sets or changes the signed-in user's thumbs up/down on an answer in one of their chats.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id, messageId } = paramsWith(event, params)
  const input = await readBodyWith(event, body)
  const feedback = await setFeedback(id, messageId, user.id, input)
  // The comment is the user's own words: the audit log keeps only that there is one.
  await recordAudit({
    action: 'feedback_given',
    actorId: user.id,
    target: { type: 'message', id: messageId },
    event,
    details: { chatId: id, rating: input.rating, reason: input.reason, comment: input.comment !== null },
  })
  return feedback
})
