import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { axeViolations, launchBrowser, newContext, reload, screenshot, sendMessage, signInAs, waitForAnswer, waitForHydration } from '../support/browser'

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

/** How light the page background is, 0 (black) to 1 (white), whatever colour space CSS uses. */
function backgroundLightness(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.createElement('canvas')
    canvas.width = canvas.height = 1
    const context = canvas.getContext('2d')!
    context.fillStyle = getComputedStyle(document.body).backgroundColor
    context.fillRect(0, 0, 1, 1)
    const [r, g, b] = context.getImageData(0, 0, 1, 1).data
    return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255
  })
}

describe('on a phone', () => {
  let page: Page
  beforeAll(async () => {
    page = await (await newContext(browser, stack, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage()
    await signInAs(page, stack, accounts.megan)
  })

  it('hides the sidebar behind a menu button that opens and closes it', async () => {
    expect(await page.getByTestId('sidebar').isVisible()).toBe(false)
    // While the drawer is open the page behind it is inert, so the button is found by test id.
    const menu = page.getByTestId('open-sidebar')
    expect(await menu.getAttribute('aria-label')).toBe('Open conversations')
    expect(await menu.getAttribute('aria-expanded')).toBe('false')
    await menu.click()
    const drawer = page.getByTestId('mobile-sidebar')
    await drawer.waitFor()
    expect(await drawer.getByTestId('new-chat').isVisible()).toBe(true)
    expect(await menu.getAttribute('aria-expanded')).toBe('true')
    await screenshot(page, 'phone-sidebar-open')
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })

    await menu.click()
    await drawer.waitFor()
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click()
    await drawer.waitFor({ state: 'detached' })
    await screenshot(page, 'phone-sidebar-closed')
  })

  it('lets me write and send a message', async () => {
    // On a touch screen Enter starts a new line; the Send button sends.
    const input = page.getByTestId('prompt-input')
    await input.fill('Hello from my phone, with a table')
    await input.press('Enter')
    expect(await input.inputValue()).toBe('Hello from my phone, with a table\n')
    await page.getByTestId('send').tap()
    await page.waitForURL(/\/chat\//)
    await waitForAnswer(page)
    expect(await page.getByTestId('message-assistant').last().locator('table').count()).toBe(1)
    const box = await page.getByTestId('prompt-input').boundingBox()
    expect(box!.y + box!.height).toBeLessThanOrEqual(844)
    expect(box!.width).toBeGreaterThan(300)
    // The chat is in the drawer, and picking it closes the drawer.
    await page.getByTestId('open-sidebar').click()
    const drawer = page.getByTestId('mobile-sidebar')
    await drawer.getByTestId('chat-item').filter({ hasText: 'Hello from my phone' }).waitFor()
    await drawer.getByTestId('new-chat').click()
    await drawer.waitFor({ state: 'detached' })
    await page.waitForURL(`${stack.app.url}/`)
    await page.goBack()
    await waitForHydration(page)
    await page.getByTestId('message-assistant').last().waitFor()
    await screenshot(page, 'phone-chat')
  })
})

describe('on a desktop', () => {
  let page: Page
  beforeAll(async () => {
    page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.alex)
  })

  it('switches to the dark theme from the account menu and keeps it after a reload', async () => {
    await sendMessage(page, 'Show me some code please')
    await waitForAnswer(page)
    await page.getByTestId('user-menu').click()
    await page.getByRole('menuitemcheckbox', { name: 'Dark' }).click()
    await page.waitForFunction(() => document.documentElement.classList.contains('dark'))
    await page.keyboard.press('Escape')
    expect(await backgroundLightness(page)).toBeLessThan(0.2)
    await reload(page)
    await page.getByTestId('message-assistant').last().waitFor()
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true)
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'dark-theme')

    await page.getByTestId('user-menu').click()
    await page.getByRole('menuitemcheckbox', { name: 'Light' }).click()
    await page.waitForFunction(() => !document.documentElement.classList.contains('dark'))
    await page.keyboard.press('Escape')
    await screenshot(page, 'theme-back-to-light')
  })

  it('lists the keyboard shortcuts and obeys them', async () => {
    await page.locator('body').click({ position: { x: 600, y: 300 } })
    await page.keyboard.press('?')
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await help.waitFor()
    for (const action of ['Search chats', 'New chat', 'Focus the message box', 'Stop the answer']) {
      expect(await help.textContent()).toContain(action)
    }
    await screenshot(page, 'shortcuts-help')
    await page.keyboard.press('Escape')
    await help.waitFor({ state: 'detached' })

    // "/" focuses the message box.
    await page.locator('body').click({ position: { x: 600, y: 300 } })
    await page.keyboard.press('/')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('prompt-input')

    // Ctrl+K searches chats, even while typing.
    await page.keyboard.press('Control+k')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('chat-search')

    // Ctrl+Shift+O starts a new chat.
    expect(page.url()).toMatch(/\/chat\//)
    await page.keyboard.press('Control+Shift+O')
    await page.waitForURL(`${stack.app.url}/`)
    await page.getByTestId('welcome').waitFor()

    // Esc stops an answer being written.
    await sendMessage(page, 'A long one please [[emulator:slow]]')
    await page.getByTestId('message-assistant').last().getByTestId('message-text').waitFor()
    await page.keyboard.press('Escape')
    await waitForAnswer(page)
    expect(await page.getByTestId('message-assistant').last().getAttribute('data-status')).toBe('stopped')
    await screenshot(page, 'shortcuts-esc-stopped')
  })

  it('follows the answer while I am at the bottom and offers a jump back when I scroll up', async () => {
    await page.getByTestId('new-chat').click()
    await page.waitForURL(`${stack.app.url}/`)
    await sendMessage(page, 'A long answer please [[emulator:long]] [[emulator:delay=15]]')
    const scroller = page.getByTestId('message-scroller')
    // While it streams, the view stays at the bottom.
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="message-scroller"]')!
      return el.scrollHeight > el.clientHeight * 1.5
    })
    const distance = () => scroller.evaluate(el => el.scrollHeight - el.scrollTop - el.clientHeight)
    expect(await distance()).toBeLessThan(48)
    // Scrolling up stops the following; the jump button brings me back.
    await scroller.hover()
    await page.mouse.wheel(0, -600)
    await page.getByTestId('jump-to-latest').waitFor()
    await waitForAnswer(page)
    await screenshot(page, 'jump-to-latest-offered')
    expect(await distance()).toBeGreaterThan(200)
    await page.getByTestId('jump-to-latest').click()
    await page.getByTestId('jump-to-latest').waitFor({ state: 'detached' })
    await expect.poll(distance).toBeLessThan(48)
    await screenshot(page, 'jumped-to-latest')
  })
})

/** The JavaScript a page's HTML makes the browser load at once: its module scripts and preloads. */
async function initialScripts(page: Page, url: string): Promise<{ files: number, bytes: number, gzip: number, largest: string }> {
  const html = await (await page.request.get(url)).text()
  const sources = new Set<string>()
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/g)) {
    const isScript = tag.startsWith('<script') && /\ssrc="/.test(tag)
    const isPreload = tag.startsWith('<link') && /rel="modulepreload"/.test(tag)
    const src = tag.match(/\s(?:src|href)="([^"]+)"/)?.[1]
    if ((isScript || isPreload) && src?.endsWith('.js')) sources.add(new URL(src, url).toString())
  }
  let bytes = 0
  let gzip = 0
  const each: Array<[string, number]> = []
  for (const source of sources) {
    const body = await (await page.request.get(source)).body()
    const zipped = gzipSync(body, { level: 9 }).length
    bytes += body.length
    gzip += zipped
    each.push([source.split('/').at(-1)!, zipped])
  }
  const largest = each.sort((a, b) => b[1] - a[1]).slice(0, 4).map(([name, size]) => `${name} ${(size / 1024).toFixed(1)}`).join(', ')
  return { files: sources.size, bytes, gzip, largest }
}

describe('page weight', () => {
  it('keeps the JavaScript of the first page small', async () => {
    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.adele)
    await sendMessage(page, 'Some code for the weight check')
    await page.waitForURL(/\/chat\//)
    await waitForAnswer(page)
    const newChat = await initialScripts(page, `${stack.app.url}/`)
    const chat = await initialScripts(page, page.url())
    console.info(`[page weight] new chat: ${newChat.files} scripts, ${(newChat.bytes / 1024).toFixed(1)} KiB, ${(newChat.gzip / 1024).toFixed(1)} KiB gzip; `
      + `existing chat: ${chat.files} scripts, ${(chat.bytes / 1024).toFixed(1)} KiB, ${(chat.gzip / 1024).toFixed(1)} KiB gzip; `
      + `largest (KiB gzip): ${newChat.largest} | ${chat.largest}`)
    // The AI SDK, markdown-it and highlight.js load on demand, not with the new-chat page. The
    // budget was 200 KiB until documents, feedback, sharing and photos added 4–5 KiB across the
    // shared chunks (each lazy already), and 205 until languages added 21 KiB (vue-i18n and
    // @nuxtjs/i18n's runtime about 13, the reader's messages 8); README, Performance, says more.
    expect(newChat.gzip).toBeLessThan(225 * 1024)
    expect(chat.gzip).toBeLessThan(300 * 1024)
    await screenshot(page, 'page-weight-chat')
    await page.context().close()
  })
})

describe('the icon', () => {
  it('serves a real icon at /favicon.ico, which browsers ask for on pages without our <link rel="icon">', async () => {
    // Without public/favicon.ico, Nitro answers with the text of a data: URI labelled image/x-icon.
    const response = await fetch(`${stack.app.url}/favicon.ico`)
    expect(response.status).toBe(200)
    const body = Buffer.from(await response.arrayBuffer())
    expect([...body.subarray(0, 4)]).toEqual([0, 0, 1, 0])
  })
})

describe('signing out', () => {
  it('ends the session here and at Entra', async () => {
    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.adele)
    await page.getByTestId('user-menu').click()
    await page.getByRole('menuitem', { name: 'Sign out' }).click()
    await page.waitForURL(`${stack.app.url}/signed-out`)
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor()
    const me = await page.request.get(`${stack.app.url}/api/me`)
    expect(me.status()).toBe(401)
    await screenshot(page, 'signed-out')
  })
})
