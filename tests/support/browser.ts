import { existsSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import type { Stack } from './stack'
import { chromiumPath } from './chromium'

const require = createRequire(import.meta.url)
export const screenshotDir = join(import.meta.dirname, '../e2e/screenshots')

/** Real Chromium, headless, with nothing reaching out to Google's services. */
export async function launchBrowser(): Promise<Browser> {
  // The browser projects' global setup (browser-setup.ts) installs it when missing and allowed.
  const executablePath = chromiumPath()
  if (!existsSync(executablePath)) throw new Error(`Chromium is missing at ${executablePath}; the browser tests' global setup (tests/support/browser-setup.ts) says how to get it.`)
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/** A fresh browser profile for one person; the clipboard works as on a real desktop. */
export async function newContext(browser: Browser, stack: Stack, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options })
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.app.url })
  return context
}

/**
 * Opens the app and signs in through the real redirect chain: the app sends the browser to the
 * Entra emulator's account picker, the person is picked, and the app's chat screen comes back.
 */
export async function signInAs(page: Page, stack: Stack, account: { oid: string }, path = '/') {
  await page.goto(`${stack.app.url}${path}`)
  await pickAccount(page, stack, account)
  await waitForHydration(page)
}

/**
 * Waits until the server-rendered page is interactive: typing before hydration would reach a
 * textarea without its Enter handler (a person cannot be that fast; a test can).
 */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() => document.documentElement.dataset.hydrated === 'true')
}

/** Reloads an app page and waits until it is interactive again. */
export async function reload(page: Page) {
  await page.reload()
  await waitForHydration(page)
}

/** Opens an app page and waits until it is interactive. */
export async function open(page: Page, url: string) {
  await page.goto(url)
  await waitForHydration(page)
}

/** On the Entra emulator's account picker: choose the account and wait to be back in the app. */
export async function pickAccount(page: Page, stack: Stack, account: { oid: string }) {
  await page.locator(`button[name="account"][value="${account.oid}"]`).click()
  await page.waitForURL(url => url.toString().startsWith(stack.app.url))
  await waitForHydration(page)
}

/** Saves what the page shows once its finite animations (drawers, dialogs) have ended. */
export async function screenshot(page: Page, name: string) {
  mkdirSync(screenshotDir, { recursive: true })
  await page.waitForFunction(() => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity))
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) })
}

/** Serious and critical accessibility violations axe-core finds on the page, as short lines. */
export async function axeViolations(page: Page, within?: string): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') })
  const violations = await page.evaluate(async (within) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Array<{ id: string, impact: string | null, help: string, nodes: Array<{ target: unknown[] }> }> }> } }).axe
    const result = await axe.run(within ? { include: [within] } as unknown as Document : document, { resultTypes: ['violations'] })
    return result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => JSON.stringify(n.target)).slice(0, 5) }))
  }, within)
  return violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`)
}

/** Types into the message box and sends it with Enter, as a person would. */
export async function sendMessage(page: Page, text: string) {
  const input = page.getByTestId('prompt-input')
  await input.fill(text)
  await input.press('Enter')
}

/** Waits until no answer is being written any more (the Send button is back). */
export async function waitForAnswer(page: Page) {
  await page.getByTestId('stop').waitFor({ state: 'detached', timeout: 60_000 })
  await page.getByTestId('send').waitFor()
}

/**
 * Creates a chat through the API with the page's session cookie (faster than typing when a test
 * only needs chats to exist) and reads the answer to its end; with `id`, adds to that chat.
 * Returns the chat id.
 */
export async function createChat(page: Page, stack: Stack, text: string, id: string = crypto.randomUUID()): Promise<string> {
  const response = await page.request.post(`${stack.app.url}/api/chats/${id}/messages`, {
    headers: { origin: stack.app.url },
    data: { message: { id: crypto.randomUUID(), role: 'user', parts: [{ type: 'text', text }] }, trigger: 'submit-message' },
  })
  if (!response.ok()) throw new Error(`Creating a chat failed: ${response.status()} ${await response.text()}`)
  return id
}

/**
 * Labels cut off or spilling out: the page wider than the screen, or a control, heading or menu
 * item whose text is wider than its box (text meant to be cut with an ellipsis is left alone).
 */
export async function overflowingLabels(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = []
    const root = document.documentElement
    if (root.scrollWidth > window.innerWidth + 1) found.push(`page is ${root.scrollWidth}px wide on a ${window.innerWidth}px screen`)
    for (const el of document.querySelectorAll<HTMLElement>('button, a, label, h1, h2, h3, th, [role="menuitem"], [role="menuitemcheckbox"], [role="tab"], [role="option"]')) {
      // Hidden, or visually hidden for screen readers (a skip link until it has the focus).
      if (!el.offsetParent || !el.textContent?.trim() || el.closest('.sr-only')) continue
      const style = getComputedStyle(el)
      const cut = (e: Element) => getComputedStyle(e).textOverflow === 'ellipsis' || e.classList.contains('truncate')
      if (cut(el) || [...el.querySelectorAll('*')].some(cut)) continue
      if (el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'auto' && style.overflowX !== 'scroll') {
        found.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 60)}" needs ${el.scrollWidth}px, has ${el.clientWidth}px`)
      }
    }
    return found
  })
}

/**
 * Words of the interface still in English on a page shown in another language: visible texts,
 * labels and placeholders equal to an English message that has a different translation.
 */
export async function untranslated(page: Page, english: string[]): Promise<string[]> {
  return page.evaluate((english) => {
    const known = new Set(english)
    const found = new Set<string>()
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim()
      const parent = node.parentElement
      // Messages and titles people wrote are theirs, in whatever language.
      if (!text || !parent?.offsetParent || parent.closest('[data-testid="message-text"], [data-testid="markdown"], [data-testid="chat-item"], [data-testid="user-name"], textarea')) continue
      if (known.has(text)) found.add(text)
    }
    for (const el of document.querySelectorAll<HTMLElement>('[aria-label], [placeholder], [title]')) {
      for (const name of ['aria-label', 'placeholder', 'title']) {
        const value = el.getAttribute(name)?.trim()
        if (value && known.has(value)) found.add(`${name}="${value}"`)
      }
    }
    return [...found]
  }, english)
}
