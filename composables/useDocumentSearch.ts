/**
 * The document libraries questions are answered from too, besides a chat's own attachments:
 * "me" and Entra group ids, picked beside the prompt box and kept for the browser session.
 */
export function useDocumentSearch() {
  return useState<string[]>('search-libraries', () => [])
}

export interface DocumentLibrary { id: string, name: string, documents: number }

/** The libraries I may search and share into (mine and my groups'), read when first needed. */
export function useDocumentLibraries() {
  const api = useApi()
  return useAsyncData('document-libraries', () => api<{ libraries: DocumentLibrary[] }>('/api/me/libraries'), {
    server: false,
    immediate: false,
    transform: data => data.libraries,
  })
}
