/** How far a document's processing is, in the words the UI shows (My documents, a chat's attachments). */
export const documentStatusLabel = {
  queued: 'Waiting',
  extracting: 'Reading the text…',
  indexing: 'Indexing…',
  ready: 'Ready',
  failed: 'Failed',
} as const

export type DocumentStatus = keyof typeof documentStatusLabel
