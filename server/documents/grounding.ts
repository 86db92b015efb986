import { sql } from 'drizzle-orm'
import type { Citation } from '../database/schema'
import { embedTexts } from './embed'
import { searchPassages } from './search'

// Passages put before the model: enough to answer from, few enough to keep the prompt small.
const PASSAGES = 6
// The quoted text kept with a citation (the chip opens it); the model sees the whole chunk.
const QUOTE_CHARS = 1200

export interface GroundingRequest {
  userId: string
  /** Entra group object ids of the asker. */
  groups: string[]
  chatId: string
  /** Libraries the user picked for this question: 'me' and/or group ids (checked against `groups`). */
  libraries?: string[]
  /** The question, and for a follow-up the question before it ("and in Munich?" needs its topic). */
  question: string
  previousQuestion?: string
}

/** Whether this chat has ready attached documents: then every question in it is grounded. */
async function chatHasDocuments(chatId: string, userId: string): Promise<boolean> {
  const rows = await rowsOf(useDb().execute(sql`SELECT 1 FROM documents
    WHERE scope = 'chat' AND chat_id = ${chatId} AND owner_id = ${userId} AND status = 'ready' LIMIT 1`))
  return rows.length > 0
}

/**
 * The passages an answer should draw on, or undefined when the question is not to be grounded
 * (no attached documents and no library picked). An empty list means "searched, found nothing".
 */
export async function retrievePassages(request: GroundingRequest): Promise<Citation[] | undefined> {
  const libraries = request.libraries ?? []
  const groups = libraries.filter(l => l !== 'me' && request.groups.includes(l))
  const ownLibrary = libraries.includes('me')
  if (!ownLibrary && !groups.length && !await chatHasDocuments(request.chatId, request.userId)) return undefined
  const text = request.previousQuestion ? `${request.previousQuestion}\n${request.question}` : request.question
  const [embedding] = await embedTexts([text])
  const passages = await searchPassages(useDb(), { userId: request.userId, groupIds: groups, chatId: request.chatId, ownLibrary }, {
    text,
    embedding: embedding!,
    language: useServerConfig().documents.searchLanguage,
  }, PASSAGES)
  return passages.map((p, i) => ({ id: i + 1, documentId: p.documentId, documentName: p.documentName, page: p.page, heading: p.heading, text: p.text.slice(0, QUOTE_CHARS) }))
}

/** The system prompt with the passages and how to cite them. */
export function groundedSystemPrompt(systemPrompt: string, passages: Citation[]): string {
  const rules = 'Answer from the company documents below. After each claim taken from a passage, cite it by its number in square brackets, e.g. [1] or [2][3]. '
    + 'If the passages do not answer the question, say that the documents you can search do not cover it; do not make an answer up and do not cite a passage that does not support the claim.'
  const listed = passages.length
    ? passages.map(p => `[${p.id}] ${p.documentName}${p.page ? `, page ${p.page}` : ''}${p.heading ? `, "${p.heading}"` : ''}:\n${p.text}`).join('\n\n')
    : '(No passage of the documents the user may read matches the question.)'
  return `${systemPrompt}\n\n${rules}\n\nPassages:\n\n${listed}`
}
