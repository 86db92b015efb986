/**
 * Whether questions are answered from my document library too (not only from the chat's own
 * attachments): a switch beside the prompt box, kept for the browser session across chats.
 */
export function useDocumentSearch() {
  return useState<boolean>('search-my-documents', () => false)
}
