import { z } from 'zod'

// What a request may set on an assistant, for staff (personal) and admins (company) alike.
const name = z.string().trim().min(1, zodMessage('assistants.nameEmpty')).max(60, zodMessage('assistants.nameTooLong', { max: 60 }))
const systemPrompt = z.string().trim().min(1, zodMessage('assistants.promptEmpty')).max(20_000, { error: () => say('assistants.promptTooLong', { max: localNumber(20_000) }) })
const fields = {
  description: z.string().trim().max(200, zodMessage('assistants.descriptionTooLong', { max: 200 })),
  icon: z.string().regex(/^i-lucide-[a-z0-9-]+$/, zodMessage('assistants.iconInvalid')),
  starterPrompts: z.array(z.string().trim().min(1, zodMessage('assistants.starterEmpty')).max(200, zodMessage('assistants.starterTooLong', { max: 200 }))).max(4, zodMessage('assistants.tooManyStarters', { max: 4 })),
  // Checked against the configured models, so a chat never starts on a model that is not offered.
  defaultModel: z.string().nullable().refine(id => id === null || useServerConfig().azureOpenai.models.some(m => m.id === id), zodMessage('assistants.modelNotOffered')),
}

export const newAssistantBody = z.object({
  name,
  systemPrompt,
  description: fields.description.default(''),
  icon: fields.icon.default('i-lucide-bot'),
  starterPrompts: fields.starterPrompts.default([]),
  defaultModel: fields.defaultModel.default(null),
})

export const assistantChangeBody = z.object({
  name: name.optional(),
  systemPrompt: systemPrompt.optional(),
  description: fields.description.optional(),
  icon: fields.icon.optional(),
  starterPrompts: fields.starterPrompts.optional(),
  defaultModel: fields.defaultModel.optional(),
})

export const assistantParams = z.object({ id: z.string().uuid('must be a UUID') })

export function assistantNotFound() {
  return createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.assistant') })
}
