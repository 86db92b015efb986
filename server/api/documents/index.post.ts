import { sql } from 'drizzle-orm'
import type { H3Event } from 'h3'
import { z } from 'zod'
import { detectDocumentKind, documentKinds } from '../../documents/detect'
import { pdfPageCount, UnreadableDocumentError } from '../../documents/extract'
import { findDocument } from '../../documents/queries'

const fields = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('me') }),
  z.object({ scope: z.literal('chat'), chatId: z.string().uuid('must be a UUID') }),
  z.object({ scope: z.literal('group'), groupId: z.string().trim().min(1, 'is required for a group document').max(200) }),
], { error: 'must be chat, me or group' })

// 1.5 MB, 10 MB, 2048 MB: one decimal at most, no thousands separator, the reader's decimal sign.
const megabytes = (bytes: number, event: H3Event) => `${localNumber(Number((bytes / 1024 / 1024).toFixed(1)), event, { useGrouping: false })} MB`

function tooLarge(message: string): never {
  throw createError({ statusCode: 413, statusMessage: 'Payload Too Large', message })
}

/**
 * Upload (multipart/form-data: `file`, `scope` = chat | me | group, with `chatId` or `groupId`;
 * a chat id not yet in use begins that chat, as its first message would).
 * Everything that can be checked now is, before anything is stored: size, type by content, a PDF's
 * pages. The document is then stored with its ingestion job in one transaction and answered 202;
 * GET /api/documents/:id shows its progress (queued → extracting → indexing → ready | failed).
 */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { maxBytes, maxPages } = useServerConfig().documents
  // Refused before reading: the multipart envelope adds a little to the file itself.
  if (Number(getRequestHeader(event, 'content-length') ?? 0) > maxBytes + 64 * 1024) tooLarge(say('documents.fileTooLarge', { max: megabytes(maxBytes, event) }, event))
  if (!/^multipart\/form-data/i.test(getRequestHeader(event, 'content-type') ?? '')) {
    throw createError({ statusCode: 415, statusMessage: 'Unsupported Media Type', message: say('documents.multipartRequired', undefined, event) })
  }
  const parts = await readMultipartFormData(event) ?? []
  const field = (name: string) => parts.find(p => p.name === name && !p.filename)?.data.toString('utf8')
  const scope = fields.safeParse({ scope: field('scope') ?? 'me', chatId: field('chatId'), groupId: field('groupId') }, zodLocaleOptions(event))
  if (!scope.success) {
    const issue = scope.error.issues[0]!
    throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: say('request.invalidField', { field: issue.path.join('.') || 'scope', problem: issue.message }, event) })
  }
  const file = parts.find(p => p.name === 'file' && p.filename !== undefined)
  if (!file?.data.length) throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: say('documents.fileRequired', undefined, event) })
  if (file.data.length > maxBytes) tooLarge(say('documents.fileSizeOverLimit', { size: megabytes(file.data.length, event), max: megabytes(maxBytes, event) }, event))
  const name = (file.filename || 'document').replace(/[\\/]/g, '_').slice(0, 255)

  const target = scope.data
  const chat = target.scope === 'chat' ? await getChatForUser(target.chatId, user.id) ?? null : null
  // Sharing with a group needs membership: to anyone else the group does not exist.
  if (target.scope === 'group' && !user.groups.includes(target.groupId)) {
    throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.group', undefined, event) })
  }

  const kind = detectDocumentKind(file.data, name)
  if (!kind) throw createError({ statusCode: 415, statusMessage: 'Unsupported Media Type', message: say('documents.unsupportedType', { name }, event) })
  let pages: number | null = null
  if (kind === 'pdf') {
    pages = await pdfPageCount(file.data).catch((error: unknown) => {
      if (error instanceof UnreadableDocumentError) throw createError({ statusCode: 422, statusMessage: 'Unprocessable Content', message: say(error.key, undefined, event) })
      throw error
    })
    if (pages > maxPages) tooLarge(say('documents.tooManyPages', { pages, max: maxPages }, event))
  }

  // A file attached on the new-chat page, before its first message, begins the chat (named after
  // the file until then); an id that is someone else's chat answers 404 here.
  if (target.scope === 'chat') await ensureChat(target.chatId, user.id, name, chat)

  const id = crypto.randomUUID()
  await useDb().transaction(async (tx) => {
    await tx.execute(sql`INSERT INTO documents (id, owner_id, scope, chat_id, group_id, name, media_type, size_bytes, pages, content)
      VALUES (${id}, ${user.id}, ${target.scope}, ${target.scope === 'chat' ? target.chatId : null}, ${target.scope === 'group' ? target.groupId : null},
        ${name}, ${documentKinds[kind]}, ${file.data.length}, ${pages}, ${file.data})`)
    await tx.execute(sql`INSERT INTO document_jobs (document_id) VALUES (${id})`)
    await recordAudit({ action: 'document_uploaded', actorId: user.id, target: { type: 'document', id }, details: { scope: target.scope, mediaType: documentKinds[kind], sizeBytes: file.data.length, pages }, event }, tx as unknown as Database)
  })
  setResponseStatus(event, 202)
  return findDocument({ userId: user.id, groupIds: user.groups }, id)
})
