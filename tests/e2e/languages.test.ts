import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { axeViolations, createChat, launchBrowser, newContext, open, overflowingLabels, reload, screenshot, sendMessage, signInAs, untranslated, waitForAnswer, waitForHydration } from '../support/browser'
import { localeMessages, message } from '../support/locales'

let stack: Stack
let browser: Browser

beforeAll(async () => {
  stack = await startStack()
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

const phone: BrowserContextOptions = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true }

/** English messages that read differently in `code`: none of them may show on its pages. */
function englishOnly(code: string): string[] {
  const en = localeMessages('en')
  const other = localeMessages(code)
  // Identifiers (an audit action such as sign_in, shown on hover) are the same in every language.
  return [...en].filter(([key, text]) => other.get(key) !== text && !/[{|]/.test(text) && !/^[a-z0-9]+(_[a-z0-9]+)+$/.test(text)).map(([, text]) => text)
}

async function person(account: { oid: string }, options: BrowserContextOptions, path = '/'): Promise<Page> {
  const page = await (await newContext(browser, stack, options)).newPage()
  await signInAs(page, stack, account, path)
  return page
}

/** What every page in another language must pass: no English left, nothing cut off, axe clean. */
async function looksRight(page: Page, code: string, name: string, within?: string) {
  await screenshot(page, `language-${code}-${name}`)
  expect(await untranslated(page, englishOnly(code)), `${name}: English left`).toEqual([])
  expect(await overflowingLabels(page), `${name}: labels overflowing`).toEqual([])
  expect(await axeViolations(page, within), `${name}: axe`).toEqual([])
}

// An open menu is modal: the page behind it is aria-hidden while its controls keep their
// tabindex (Reka's pattern), which axe reports; the menu itself is what is checked then.
const MENU = '[role="menu"]'

const languages = [
  { code: 'de', browser: 'de-DE', account: accounts.alex, date: /\d{2}\.\d{2}\.\d{4}/ },
  { code: 'fr', browser: 'fr-FR', account: accounts.lynne, date: /\d{1,2} \S+ \d{4}/ },
] as const

describe.each(languages)('in $code', ({ code, browser: browserLocale, account, date }) => {
  let page: Page

  beforeAll(async () => {
    page = await person(account, { locale: browserLocale })
  })

  it('opens in the browser\'s language, with the page in that language for screen readers', async () => {
    expect(await page.getAttribute('html', 'lang')).toBe(browserLocale)
    expect(await page.getByTestId('page-title').textContent()).toBe(message(code, 'common.newChat'))
    expect(message(code, 'common.newChat')).not.toBe(message('en', 'common.newChat'))
    await looksRight(page, code, 'new-chat')
  })

  it('chats, and the answer\'s page reads in that language too', async () => {
    await sendMessage(page, 'Summarise our travel policy in three points')
    await page.waitForURL(/\/chat\//)
    await waitForAnswer(page)
    await looksRight(page, code, 'chat')
    await page.getByTestId('feedback-down').click()
    await page.getByTestId('feedback-form').waitFor()
    await page.mouse.move(0, 0)
    await looksRight(page, code, 'feedback')
  })

  it('speaks the language in the account menu, and the API answers in it', async () => {
    await page.getByTestId('user-menu').click()
    await page.getByRole('menuitem', { name: message(code, 'common.menu.signOut') }).waitFor()
    await looksRight(page, code, 'account-menu', MENU)
    await page.keyboard.press('Escape')
    const missing = await page.request.get(`${stack.app.url}/api/chats/${crypto.randomUUID()}`)
    expect(missing.status()).toBe(404)
    const { message: sentence } = await missing.json() as { message: string }
    expect(sentence).not.toBe('Chat not found')
    expect(sentence.length).toBeGreaterThan(5)
  })

  it('shows my documents, with when each came in words of that language, and the assistants', async () => {
    const upload = await page.request.post(`${stack.app.url}/api/documents`, {
      headers: { origin: stack.app.url },
      multipart: { file: { name: 'handbook.md', mimeType: 'text/markdown', buffer: Buffer.from('# Handbook\n\nOffice hours are 8 to 6.') } },
    })
    expect(upload.status()).toBe(202)
    await open(page, `${stack.app.url}/documents`)
    const uploaded = page.getByTestId('document-uploaded')
    await uploaded.waitFor()
    const words = new Intl.RelativeTimeFormat(browserLocale, { numeric: 'auto' })
    expect([words.format(0, 'minute'), words.format(-1, 'minute')]).toContain(await uploaded.textContent())
    await looksRight(page, code, 'documents')
    await open(page, `${stack.app.url}/assistants`)
    await looksRight(page, code, 'assistants')
  })

  it('shares a chat, and a colleague reads it, in that language', async () => {
    const chatId = await createChat(page, stack, 'Plan the team offsite in Lisbon')
    await open(page, `${stack.app.url}/chat/${chatId}`)
    await page.locator(`[data-testid="chat-item"][data-chat-id="${chatId}"]`).getByTestId('chat-options').click()
    await page.getByRole('menuitem', { name: message(code, 'chat.item.share') }).waitFor()
    await looksRight(page, code, 'chat-menu', MENU)
    await page.getByRole('menuitem', { name: message(code, 'chat.item.share') }).click()
    await page.waitForURL(`${stack.app.url}/share/${chatId}`)
    await waitForHydration(page)
    await page.getByTestId('share-create').click()
    const url = (await page.getByTestId('share-link').first().getByTestId('share-path').textContent())!.trim()
    await page.mouse.move(0, 0)
    await looksRight(page, code, 'share')

    const colleague = await person(accounts.patti, { locale: browserLocale }, new URL(url).pathname)
    await colleague.getByTestId('shared-banner').waitFor()
    await looksRight(colleague, code, 'shared')
    await colleague.context().close()
  })

  it('says a page does not exist in that language', async () => {
    await open(page, `${stack.app.url}/no-such-page`)
    await page.getByRole('heading', { name: message(code, 'common.error.notFoundTitle') }).waitFor()
    expect(await page.getAttribute('html', 'lang')).toBe(browserLocale)
    await looksRight(page, code, 'not-found')
  })

  it('fits a phone: the new chat, the conversations drawer and the menu', async () => {
    const small = await person(account, { ...phone, locale: browserLocale })
    await looksRight(small, code, 'phone-new-chat')
    await small.getByTestId('open-sidebar').click()
    await small.getByTestId('mobile-sidebar').waitFor()
    await looksRight(small, code, 'phone-sidebar')
    await small.keyboard.press('Escape')
    await small.getByTestId('mobile-sidebar').waitFor({ state: 'detached' })
    await small.getByTestId('user-menu').click()
    await small.getByRole('menuitem', { name: message(code, 'common.menu.signOut') }).waitFor()
    await looksRight(small, code, 'phone-account-menu', MENU)
    await small.context().close()
  })

  it('shows the administration pages, with dates and numbers in the language\'s format', async () => {
    const admin = await person(accounts.adele, { locale: browserLocale })
    for (const path of ['/admin', '/admin/users', '/admin/usage', '/admin/audit', '/admin/feedback', '/admin/assistants']) {
      await open(admin, `${stack.app.url}${path}`)
      await admin.locator('main h1, main h2').first().waitFor()
      await looksRight(admin, code, `admin${path.replace('/admin', '').replace('/', '-')}`)
    }
    await open(admin, `${stack.app.url}/admin/users`)
    await expect.poll(() => admin.locator('tbody').textContent()).toMatch(date)
    await admin.context().close()
  })
})

describe('the language picked in the account menu', () => {
  it('applies at once, stays after a reload, and follows me to another browser', async () => {
    const page = await person(accounts.megan, { locale: 'en-GB' })
    expect(await page.getByTestId('page-title').textContent()).toBe('New chat')
    await page.getByTestId('user-menu').click()
    await page.getByRole('menuitemcheckbox', { name: 'Français' }).click()
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe(message('fr', 'common.newChat'))
    expect(await page.getAttribute('html', 'lang')).toBe('fr-FR')
    await page.keyboard.press('Escape')

    // The server writes its sentences in the chosen language, whatever the browser asks for.
    const missing = await page.request.get(`${stack.app.url}/api/chats/${crypto.randomUUID()}`, { headers: { 'accept-language': 'de-DE' } })
    const french = (await missing.json() as { message: string }).message
    expect(french).not.toBe('Chat not found')

    await reload(page)
    expect(await page.getByTestId('page-title').textContent()).toBe(message('fr', 'common.newChat'))

    // Another device, an English browser: the profile's choice wins.
    const elsewhere = await person(accounts.megan, { locale: 'en-US' })
    expect(await elsewhere.getByTestId('page-title').textContent()).toBe(message('fr', 'common.newChat'))
    expect(await elsewhere.getAttribute('html', 'lang')).toBe('fr-FR')

    // And back to English from there.
    await elsewhere.getByTestId('user-menu').click()
    await elsewhere.getByRole('menuitemcheckbox', { name: 'English' }).click()
    await expect.poll(() => elsewhere.getByTestId('page-title').textContent()).toBe('New chat')
    const me = await elsewhere.request.get(`${stack.app.url}/api/me`)
    expect((await me.json() as { locale: string }).locale).toBe('en')
    await page.context().close()
    await elsewhere.context().close()
  })
})
