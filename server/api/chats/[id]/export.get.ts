import { z } from 'zod'

const params = z.object({ id: z.string().uuid('must be a UUID') })
const query = z.object({ format: z.enum(['markdown', 'json'], { error: 'must be markdown or json' }).default('markdown') })

// One chat as a Markdown or JSON download.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = paramsWith(event, params)
  const { format } = queryWith(event, query)
  const chat = await exportChat(id, user.id)
  if (!chat) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.chat', undefined, event) })
  await recordAudit({ action: 'chat_exported', actorId: user.id, target: { type: 'chat', id }, details: { format, messages: chat.messages.length }, event })
  const extension = format === 'json' ? 'json' : 'md'
  setResponseHeaders(event, {
    'Content-Type': format === 'json' ? 'application/json; charset=utf-8' : 'text/markdown; charset=utf-8',
    'Content-Disposition': `attachment; filename="${chatFileName(chat, extension)}"`,
    'Cache-Control': 'no-store',
  })
  return format === 'json' ? JSON.stringify(chat, null, 2) : chatMarkdown(chat)
})
