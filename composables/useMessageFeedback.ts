/** Sets and clears the signed-in user's feedback on an answer in one of their chats. */
export function useMessageFeedback() {
  const api = useApi()
  const path = (chatId: string, messageId: string) => `/api/chats/${chatId}/messages/${messageId}/feedback`
  return {
    save: (chatId: string, messageId: string, feedback: MessageFeedback) =>
      api(path(chatId, messageId), { method: 'PUT', body: feedback }),
    clear: (chatId: string, messageId: string) =>
      api(path(chatId, messageId), { method: 'DELETE' }),
  }
}
