import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, ConsoleMessage, Page } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { createChat, launchBrowser, newContext, open, screenshot, signInAs, waitForHydration } from '../support/browser'

// What a person sees while a page loads: the first HTML, the moment it becomes interactive, and the
// pages for what is not there.
let stack: Stack
let browser: Browser
let page: Page
const warnings: string[] = []

beforeAll(async () => {
  stack = await startStack({ env: { RATE_LIMIT_REQUESTS_PER_MINUTE: '1000' } })
  browser = await launchBrowser()
  page = await (await newContext(browser, stack)).newPage()
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' || message.type() === 'warning') warnings.push(message.text())
  })
  await signInAs(page, stack, accounts.alex)
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

const header = () => page.getByTestId('page-title')
const hydrationWarnings = () => warnings.filter(w => /hydrat/i.test(w))

describe('a chat that is not there', () => {
  it('says so with a 404, for another user\'s chat id and for an id that is no id', async () => {
    for (const path of [`/chat/${crypto.randomUUID()}`, '/chat/not-a-uuid']) {
      const response = await page.goto(`${stack.app.url}${path}`)
      await waitForHydration(page)
      expect(response?.status(), path).toBe(404)
      await page.getByTestId('chat-missing').waitFor()
      expect(await page.getByTestId('chat-missing').textContent()).toContain('This chat doesn\'t exist or isn\'t yours')
      expect(await page.locator('main').innerText()).not.toContain('[GET]')
    }
    await screenshot(page, 'chat-not-found')
  })

  it('shows an unknown page in the app\'s own style', async () => {
    const response = await page.goto(`${stack.app.url}/no-such-page`)
    expect(response?.status()).toBe(404)
    await waitForHydration(page)
    const error = page.getByTestId('error-page')
    await error.waitFor()
    expect(await error.textContent()).toContain('This page doesn\'t exist')
    expect(await page.getByText('Assistant', { exact: true }).count()).toBeGreaterThan(0)
    await screenshot(page, 'error-404')
    await error.getByRole('link', { name: 'Back to your chats' }).click()
    await page.getByTestId('prompt-input').waitFor()
  })
})

describe('opening a chat', () => {
  it('renders its title on the server and hydrates without a mismatch', async () => {
    const id = await createChat(page, stack, 'Ferry timetable for the island trip')
    const html = await (await page.request.get(`${stack.app.url}/chat/${id}`)).text()
    expect(html).toMatch(/data-testid="page-title"[^>]*>\s*Ferry timetable for the island trip\s*</)

    warnings.length = 0
    await open(page, `${stack.app.url}/chat/${id}`)
    await expect.poll(() => header().textContent()).toContain('Ferry timetable')
    // Hydration warnings come after mount's microtasks: give them a moment to appear.
    await page.waitForTimeout(300)
    expect(hydrationWarnings()).toEqual([])
    expect(warnings).toEqual([])
  })

  async function renameInSidebar(from: string, to: string) {
    const item = page.getByTestId('sidebar').getByTestId('chat-item').filter({ hasText: from })
    await item.hover()
    await item.getByTestId('chat-options').click()
    await page.getByRole('menuitem', { name: 'Rename' }).click()
    const input = page.getByTestId('sidebar').getByTestId('rename-input')
    await input.fill(to)
    await input.press('Enter')
    await expect.poll(() => header().textContent()).toContain(to)
    await expect.poll(() => page.title()).toBe(`${to} · Assistant`)
  }

  it('shows a rename of the open chat in the header and the tab at once', async () => {
    // Opened by its address.
    const id = await createChat(page, stack, 'Budget for the team offsite')
    await open(page, `${stack.app.url}/chat/${id}`)
    await renameInSidebar('Budget for the team offsite', 'Offsite budget, final')
    await screenshot(page, 'chat-renamed-header')

    // Opened from the sidebar, after another chat.
    await createChat(page, stack, 'Parking permits for visitors')
    await open(page, `${stack.app.url}/chat/${id}`)
    await page.getByTestId('sidebar').getByTestId('chat-link').filter({ hasText: 'Parking permits' }).click()
    await expect.poll(() => header().textContent()).toContain('Parking permits for visitors')
    await renameInSidebar('Parking permits for visitors', 'Visitor parking')

    // Begun on the new-chat page: the address follows once the server has it.
    await open(page, `${stack.app.url}/`)
    await page.getByTestId('prompt-input').fill('Agenda for the town hall')
    await page.getByTestId('prompt-input').press('Enter')
    await page.waitForURL(/\/chat\//)
    await page.getByTestId('stop').waitFor({ state: 'detached' })
    await expect.poll(() => header().textContent()).toContain('Agenda for the town hall')
    await renameInSidebar('Agenda for the town hall', 'Town hall, March')
  })
})

describe('typing before the page is interactive', () => {
  it('keeps what was typed', async () => {
    // Hold back the app's scripts so the server-rendered box is there long before it hydrates.
    let release!: () => void
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    await page.route('**/_nuxt/**/*.js', async (route) => {
      await released
      await route.continue().catch(() => {})
    })
    try {
      // Module scripts hold back DOMContentLoaded: wait for the HTML only.
      await page.goto(`${stack.app.url}/`, { waitUntil: 'commit' })
      const input = page.getByTestId('prompt-input')
      await input.waitFor()
      expect(await page.evaluate(() => document.documentElement.dataset.hydrated)).toBeUndefined()
      await input.click()
      await page.keyboard.type('Typed before the scripts arrived')
      release()
      await waitForHydration(page)
      await page.waitForTimeout(300)
      expect(await input.inputValue()).toBe('Typed before the scripts arrived')
      await screenshot(page, 'typed-before-hydration')
      await input.press('Enter')
      await page.getByTestId('message-user').filter({ hasText: 'Typed before the scripts arrived' }).first().waitFor()
    }
    finally {
      release()
      await page.unroute('**/_nuxt/**/*.js')
    }
  })
})
