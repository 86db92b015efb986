import { readFileSync } from 'node:fs'
import { unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { axeViolations, createChat, launchBrowser, newContext, open, reload, screenshot, signInAs } from '../support/browser'

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

describe('feedback in the browser', () => {
  it('rates an answer down with a reason and a comment, keeps it after a reload, and clears it', async () => {
    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.megan)
    const chatId = await createChat(page, stack, 'What is the travel allowance for Paris?')
    await open(page, `${stack.app.url}/chat/${chatId}`)
    const feedback = page.getByTestId('message-assistant').getByTestId('feedback')

    await feedback.getByTestId('feedback-down').click()
    const form = page.getByTestId('feedback-form')
    await form.waitFor()
    await form.getByRole('radio', { name: 'Unhelpful' }).click()
    await form.getByRole('textbox', { name: 'Comment (optional)' }).fill('It did not name the amount.')
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'feedback-reason')
    await form.getByTestId('feedback-save').click()
    await form.waitFor({ state: 'detached' })
    await expect.poll(() => feedback.getAttribute('data-rating')).toBe('down')

    await reload(page)
    const stored = page.getByTestId('message-assistant').getByTestId('feedback')
    expect(await stored.getAttribute('data-rating')).toBe('down')
    expect(await stored.getByTestId('feedback-down').getAttribute('aria-pressed')).toBe('true')
    await stored.getByTestId('feedback-details').click()
    expect(await page.getByTestId('feedback-form').getByRole('textbox').inputValue()).toBe('It did not name the amount.')
    await page.keyboard.press('Escape')

    // Changed to a thumbs up, then cleared by pressing it again.
    await stored.getByTestId('feedback-up').click()
    await expect.poll(() => stored.getAttribute('data-rating')).toBe('up')
    await screenshot(page, 'feedback-up')
    await stored.getByTestId('feedback-up').click()
    await expect.poll(() => stored.getAttribute('data-rating')).toBe('')
    await reload(page)
    expect(await page.getByTestId('message-assistant').getByTestId('feedback').getAttribute('data-rating')).toBe('')
    await page.close()
  })

  it('shows the admin feedback page with the rate per model and the latest comments', async () => {
    const megan = await (await newContext(browser, stack)).newPage()
    await signInAs(megan, stack, accounts.megan)
    const chatId = await createChat(megan, stack, 'Explain the expense policy')
    await open(megan, `${stack.app.url}/chat/${chatId}`)
    await megan.getByTestId('feedback-down').click()
    await megan.getByTestId('feedback-form').getByRole('radio', { name: 'Wrong' }).click()
    await megan.getByTestId('feedback-comment').fill('Quoted last year\'s limits.')
    await megan.getByTestId('feedback-save').click()
    await megan.getByTestId('feedback-form').waitFor({ state: 'detached' })
    await megan.close()

    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.adele, '/admin/feedback')
    await expect.poll(() => page.getByTestId('feedback-comments').textContent()).toContain('Quoted last year\'s limits.')
    expect(await page.getByTestId('feedback-by-model').textContent()).toContain('0 %')
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'feedback-admin')
    await page.close()
  })
})

describe('export in the browser', () => {
  it('downloads a chat as JSON from its menu, and all my data from the account menu', async () => {
    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.alex)
    const chatId = await createChat(page, stack, 'Which holidays apply in Zurich?')
    await open(page, `${stack.app.url}/chat/${chatId}`)

    await page.locator(`[data-testid="chat-item"][data-chat-id="${chatId}"]`).getByTestId('chat-options').click()
    const menu = page.getByRole('menu')
    await menu.getByRole('menuitem', { name: 'Export as JSON' }).waitFor()
    await screenshot(page, 'export-chat-menu')
    const [json] = await Promise.all([page.waitForEvent('download'), menu.getByRole('menuitem', { name: 'Export as JSON' }).click()])
    expect(json.suggestedFilename()).toMatch(/which-holidays-apply-in-zurich.*\.json$/)
    const chat = JSON.parse(readFileSync((await json.path())!, 'utf8'))
    expect(chat.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant'])
    expect(chat.messages[0].text).toBe('Which holidays apply in Zurich?')
    expect(page.url()).toBe(`${stack.app.url}/chat/${chatId}`)

    await page.getByTestId('user-menu').click()
    const [zip] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Download my data' }).click()])
    expect(zip.suggestedFilename()).toMatch(/^assistant-data-.*\.zip$/)
    const files = unzipSync(readFileSync((await zip.path())!))
    expect(Object.keys(files).filter(n => n.startsWith('chats/') && n.endsWith('.json'))).toHaveLength(1)
    await page.close()
  })
})
