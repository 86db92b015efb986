import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { createChat, launchBrowser, newContext, open, reload, screenshot, signInAs } from '../support/browser'

let stack: Stack
let browser: Browser
let page: Page

beforeAll(async () => {
  // This file creates many chats quickly; the per-minute limit is not what it tests.
  stack = await startStack({ env: { RATE_LIMIT_REQUESTS_PER_MINUTE: '1000' } })
  browser = await launchBrowser()
  page = await (await newContext(browser, stack)).newPage()
  await signInAs(page, stack, accounts.alex)
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

const sidebar = () => page.getByTestId('sidebar')
const items = () => sidebar().getByTestId('chat-item')
const item = (title: string) => items().filter({ hasText: title })

async function titles(): Promise<string[]> {
  return (await items().allTextContents()).map(t => t.trim())
}

describe('the chat list', () => {
  it('renames, searches and deletes chats', async () => {
    for (const title of ['Quarterly budget review', 'Holiday rota planning', 'Onboarding checklist for analysts']) {
      await createChat(page, stack, title)
    }
    await reload(page)
    await item('Onboarding checklist for analysts').waitFor()
    expect(await titles()).toEqual(['Onboarding checklist for analysts', 'Holiday rota planning', 'Quarterly budget review'])
    expect(await sidebar().getByRole('heading', { name: 'Today' }).count()).toBe(1)

    // Rename inline from the chat's menu.
    await item('Onboarding checklist').hover()
    await item('Onboarding checklist').getByTestId('chat-options').click()
    await page.getByRole('menuitem', { name: 'Rename' }).click()
    const input = sidebar().getByTestId('rename-input')
    await input.fill('New joiner checklist')
    await input.press('Enter')
    await item('New joiner checklist').waitFor()
    await reload(page)
    await item('New joiner checklist').waitFor()
    expect(await item('Onboarding checklist').count()).toBe(0)

    // Search by title, on the server.
    await sidebar().getByTestId('chat-search').fill('rota')
    await expect.poll(titles).toEqual(['Holiday rota planning'])
    await screenshot(page, 'sidebar-search')
    await sidebar().getByTestId('chat-search').fill('no such chat')
    await sidebar().getByTestId('chat-list-empty').waitFor()
    await sidebar().getByTestId('chat-search').fill('')
    await expect.poll(titles).toEqual(['New joiner checklist', 'Holiday rota planning', 'Quarterly budget review'])

    // Delete, after confirming.
    await item('Quarterly budget review').hover()
    await item('Quarterly budget review').getByTestId('chat-options').click()
    await page.getByRole('menuitem', { name: 'Delete' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete chat?' })
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('Quarterly budget review')
    await screenshot(page, 'sidebar-delete-confirm')
    await dialog.getByTestId('confirm-delete').click()
    await dialog.waitFor({ state: 'detached' })
    await expect.poll(titles).toEqual(['New joiner checklist', 'Holiday rota planning'])
    await reload(page)
    await item('Holiday rota planning').waitFor()
    expect(await titles()).toEqual(['New joiner checklist', 'Holiday rota planning'])
    await screenshot(page, 'sidebar-after-delete')
  })

  it('loads older chats page by page as the list scrolls', async () => {
    const created: string[] = []
    for (let batch = 0; batch < 7; batch++) {
      const names = Array.from({ length: 5 }, (_, i) => `Older topic ${String(batch * 5 + i + 1).padStart(2, '0')}`)
      await Promise.all(names.map(name => createChat(page, stack, name)))
      created.push(...names)
    }
    await reload(page)
    await items().first().waitFor()
    // 37 chats, 30 to a page.
    expect(await items().count()).toBe(30)
    await sidebar().getByTestId('chat-list').evaluate(el => el.scrollTo({ top: el.scrollHeight }))
    await expect.poll(() => items().count()).toBe(37)
    await screenshot(page, 'sidebar-scrolled')
  })
})

describe('searching what was said', () => {
  it('finds a chat by a word only its answer and a later question hold, and shows where', async () => {
    const id = await createChat(page, stack, 'Which teams sit on which office floor?')
    await createChat(page, stack, 'Now show it as a table please', id)
    await createChat(page, stack, 'Lunch options near the office')
    await reload(page)
    await sidebar().getByTestId('chat-search').fill('table')
    const hit = sidebar().locator(`[data-chat-id="${id}"]`)
    await hit.getByTestId('chat-snippet').waitFor()
    expect(await item('Lunch options').count()).toBe(0)
    expect(await hit.getByTestId('chat-snippet').locator('mark').first().textContent()).toMatch(/^table/i)
    await screenshot(page, 'sidebar-search-snippet')
    await sidebar().getByTestId('chat-search').fill('')
    await item('Lunch options').waitFor()
    expect(await sidebar().getByTestId('chat-snippet').count()).toBe(0)
  })
})

describe('a long conversation', () => {
  it('loads older messages when scrolled to the top, keeping my place', async () => {
    const id = crypto.randomUUID()
    for (let i = 1; i <= 30; i++) await createChat(page, stack, `History question ${String(i).padStart(2, '0')}`, id)
    await open(page, `${stack.app.url}/chat/${id}`)
    const messages = page.getByTestId('messages').locator('article')
    await messages.first().waitFor()
    // 60 messages, the newest 50 first.
    expect(await messages.count()).toBe(50)
    expect(await page.getByTestId('message-user').first().textContent()).toContain('History question 06')
    const scroller = page.getByTestId('message-scroller')
    expect(await scroller.evaluate(el => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(48)

    const anchor = page.getByTestId('message-user').filter({ hasText: 'History question 06' })
    await scroller.evaluate(el => el.scrollTo({ top: 0 }))
    await expect.poll(() => messages.count()).toBe(60)
    expect(await page.getByTestId('message-user').first().textContent()).toContain('History question 01')
    // The message I was looking at stays in view instead of jumping away.
    const box = await anchor.boundingBox()
    const view = await scroller.boundingBox()
    expect(box!.y).toBeGreaterThanOrEqual(view!.y - box!.height)
    expect(box!.y).toBeLessThan(view!.y + view!.height)
    await screenshot(page, 'history-older-loaded')
  })
})
