/** The title of the current screen, shown in the header and the browser tab. */
export function usePageTitle() {
  return useState('page-title', () => '')
}

/** A chat page's title: the chat's own, or what says it is missing (or still loading). */
export function chatPageTitle(chatTitle: string | undefined, missing: boolean, t: (key: string) => string) {
  return chatTitle || t(missing ? 'chat.page.titleNotFound' : 'chat.page.title')
}

/** Bumped when "New chat" is asked for while already on the new-chat page. */
export function useNewChatSignal() {
  return useState('new-chat-signal', () => 0)
}

function visible(elements: NodeListOf<HTMLElement>): HTMLElement | undefined {
  return [...elements].find(el => el.offsetParent !== null)
}

export function focusPrompt() {
  visible(document.querySelectorAll<HTMLElement>('[data-prompt-input]'))?.focus()
}

/** Focuses the chat search box; false when none is on screen (the phone's sidebar is closed). */
export function focusChatSearch(): boolean {
  const input = visible(document.querySelectorAll<HTMLElement>('[data-chat-search]'))
  input?.focus()
  return !!input
}
