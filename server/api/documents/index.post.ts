import { sql } from 'drizzle-orm'
import { z } from 'zod'
import { ACCEPTED_TYPES_SENTENCE, detectDocumentKind, documentKinds } from '../../documents/detect'
import { pdfPageCount, UnreadableDocumentError } from '../../documents/extract'
import { findDocument } from '../../documents/queries'

const fields = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('me') }),
  z.object({ scope: z.literal('chat'), chatId: z.string().uuid('must be a UUID') }),
  z.object({ scope: z.literal('group'), groupId: z.string().trim().min(1, 'is required for a group document').max(200) }),
], { error: 'must be chat, me or group' })

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`

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
  const limit = `the limit is ${megabytes(maxBytes)} (DOCUMENT_MAX_MB)`
  // Refused before reading: the multipart envelope adds a little to the file itself.
  if (Number(getRequestHeader(event, 'content-length') ?? 0) > maxBytes + 64 * 1024) tooLarge(`The file is larger than ${megabytes(maxBytes)}; ${limit}.`)
  if (!/^multipart\/form-data/i.test(getRequestHeader(event, 'content-type') ?? '')) {
    throw createError({ statusCode: 415, statusMessage: 'Unsupported Media Type', message: 'Send the document as multipart/form-data, the file in a field named "file".' })
  }
  const parts = await readMultipartFormData(event) ?? []
  const field = (name: string) => parts.find(p => p.name === name && !p.filename)?.data.toString('utf8')
  const scope = fields.safeParse({ scope: field('scope') ?? 'me', chatId: field('chatId'), groupId: field('groupId') })
  if (!scope.success) {
    const issue = scope.error.issues[0]!
    throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: `Invalid ${issue.path.join('.') || 'scope'}: ${issue.message}` })
  }
  const file = parts.find(p => p.name === 'file' && p.filename !== undefined)
  if (!file?.data.length) throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: 'Attach a non-empty file in the field named "file".' })
  if (file.data.length > maxBytes) tooLarge(`The file is ${megabytes(file.data.length)}; ${limit}.`)
  const name = (file.filename || 'document').replace(/[\\/]/g, '_').slice(0, 255)

  const target = scope.data
  const chat = target.scope === 'chat' ? await getChatForUser(target.chatId, user.id) ?? null : null
  // Sharing with a group needs membership: to anyone else the group does not exist.
  if (target.scope === 'group' && !user.groups.includes(target.groupId)) {
    throw createError({ statusCode: 404, statusMessage: 'Not Found', message: 'Group not found' })
  }

  const kind = detectDocumentKind(file.data, name)
  if (!kind) throw createError({ statusCode: 415, statusMessage: 'Unsupported Media Type', message: `"${name}" is not a document the assistant can read. ${ACCEPTED_TYPES_SENTENCE}` })
  let pages: number | null = null
  if (kind === 'pdf') {
    pages = await pdfPageCount(file.data).catch((error: unknown) => {
      if (error instanceof UnreadableDocumentError) throw createError({ statusCode: 422, statusMessage: 'Unprocessable Content', message: error.message })
      throw error
    })
    if (pages > maxPages) tooLarge(`The PDF has ${pages} pages; the limit is ${maxPages} pages (DOCUMENT_MAX_PAGES).`)
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
