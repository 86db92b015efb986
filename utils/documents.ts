/**
 * How far a document's processing is, as the message key of the words the UI shows (My documents,
 * a chat's attachments). Keys, not text: this stays free of i18n, the components translate.
 */
export const documentStatusKey = {
  queued: 'documents.status.queued',
  extracting: 'documents.status.extracting',
  indexing: 'documents.status.indexing',
  ready: 'documents.status.ready',
  failed: 'documents.status.failed',
} as const

export type DocumentStatus = keyof typeof documentStatusKey
