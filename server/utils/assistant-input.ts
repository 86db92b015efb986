import { z } from 'zod'

// What a request may set on an assistant, for staff (personal) and admins (company) alike.
const name = z.string().trim().min(1, 'the name must not be empty').max(60, 'the name must be at most 60 characters')
const systemPrompt = z.string().trim().min(1, 'the system prompt must not be empty').max(20_000, 'the system prompt must be at most 20,000 characters')
const fields = {
  description: z.string().trim().max(200, 'the description must be at most 200 characters'),
  icon: z.string().regex(/^i-lucide-[a-z0-9-]+$/, 'the icon must be a Lucide icon name such as i-lucide-book-open'),
  starterPrompts: z.array(z.string().trim().min(1, 'a starter prompt must not be empty').max(200, 'a starter prompt must be at most 200 characters')).max(4, 'at most 4 starter prompts'),
  // Checked against the configured models, so a chat never starts on a model that is not offered.
  defaultModel: z.string().nullable().refine(id => id === null || useServerConfig().azureOpenai.models.some(m => m.id === id), 'the default model must be one of the models offered'),
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
  return createError({ statusCode: 404, statusMessage: 'Not Found', message: 'Assistant not found' })
}
