import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { axeViolations, launchBrowser, newContext, reload, screenshot, sendMessage, signInAs, waitForAnswer } from '../support/browser'

let stack: Stack
let browser: Browser

const DEPLOYMENTS = [
  { id: 'fast', label: 'GPT-4o mini', deployment: 'gpt-4o-mini' },
  { id: 'large', label: 'GPT-4.1', deployment: 'gpt-4.1', api: 'chat' },
  { id: 'think', label: 'Thinker', deployment: 'thinker', reasoning: { effort: 'low' } },
]

beforeAll(async () => {
  stack = await startStack({
    openai: () => ({ deployments: ['gpt-4o-mini', 'gpt-4.1', { name: 'thinker', reasoning: true }] }),
    env: { AZURE_OPENAI_DEPLOYMENT: '', AZURE_OPENAI_DEPLOYMENTS: JSON.stringify(DEPLOYMENTS) },
  })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

const picker = (page: Page) => page.getByTestId('model-picker')
const lastAnswer = (page: Page) => page.getByTestId('message-assistant').last()

describe('the model picker', () => {
  it('is reached and used with the keyboard, answers with the model picked, and the chat remembers it', async () => {
    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.megan)
    await expect.poll(() => picker(page).textContent()).toContain('GPT-4o mini')

    // From the message box, Tab reaches the paperclip, then the picker; arrows and Enter choose.
    await page.getByTestId('prompt-input').focus()
    await page.keyboard.press('Tab')
    expect(await page.getByTestId('attach').evaluate(el => el === document.activeElement)).toBe(true)
    await page.keyboard.press('Tab')
    expect(await picker(page).evaluate(el => el === document.activeElement)).toBe(true)
    await page.keyboard.press('Enter')
    const highlighted = (name: string) => page.getByRole('option', { name }).and(page.locator('[data-highlighted]'))
    await highlighted('GPT-4o mini').waitFor()
    await screenshot(page, 'model-picker-open')
    await page.keyboard.press('ArrowDown')
    await highlighted('GPT-4.1').waitFor()
    await page.keyboard.press('Enter')
    await expect.poll(() => picker(page).textContent()).toContain('GPT-4.1')
    expect(await axeViolations(page)).toEqual([])

    await sendMessage(page, 'Which model answers this?')
    await page.waitForURL(/\/chat\//)
    await waitForAnswer(page)
    expect(await lastAnswer(page).textContent()).toContain('Answered by the gpt-4.1 deployment.')
    await screenshot(page, 'model-picked-light')

    // A reload of the chat shows the model it remembers.
    await reload(page)
    await expect.poll(() => picker(page).textContent()).toContain('GPT-4.1')
    await page.close()
  })

  it('looks right in the dark and on a phone', async () => {
    const dark = await (await newContext(browser, stack, { colorScheme: 'dark' })).newPage()
    await signInAs(dark, stack, accounts.alex)
    await expect.poll(() => picker(dark).textContent()).toContain('GPT-4o mini')
    await sendMessage(dark, 'Hello from the dark')
    await waitForAnswer(dark)
    expect(await lastAnswer(dark).textContent()).toContain('Answered by the gpt-4o-mini deployment.')
    await screenshot(dark, 'model-picker-dark')
    await dark.close()

    const phone = await (await newContext(browser, stack, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage()
    await signInAs(phone, stack, accounts.lynne)
    await expect.poll(() => picker(phone).textContent()).toContain('GPT-4o mini')
    const box = await picker(phone).boundingBox()
    expect(box!.x).toBeGreaterThanOrEqual(0)
    expect(box!.x + box!.width).toBeLessThanOrEqual(390)
    await screenshot(phone, 'model-picker-phone')
    await phone.close()
  })
})

describe('a reasoning model', () => {
  it('shows its summary as "Thinking…" while it streams, then collapsed with how long it took', async () => {
    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.megan)
    await expect.poll(() => picker(page).textContent()).toContain('GPT-4o mini')
    await picker(page).click()
    await page.getByRole('option', { name: 'Thinker' }).click()
    await expect.poll(() => picker(page).textContent()).toContain('Thinker')

    await sendMessage(page, 'Why is the sky blue? [[emulator:delay=40]]')
    const block = page.getByTestId('reasoning')
    await expect.poll(() => block.getByTestId('reasoning-summary').textContent()).toContain('Thinking…')
    expect(await block.evaluate(el => (el as HTMLDetailsElement).open)).toBe(false)
    await screenshot(page, 'reasoning-thinking')
    await waitForAnswer(page)
    await expect.poll(() => block.getByTestId('reasoning-summary').textContent()).toMatch(/^Thought for \d+(\.\d)? s$/)
    expect(await block.evaluate(el => (el as HTMLDetailsElement).open)).toBe(false)
    expect(await lastAnswer(page).getByTestId('message-text').textContent()).not.toContain('The user asks')

    // Opened with the keyboard, it shows the summary the model wrote.
    await block.getByTestId('reasoning-summary').focus()
    await page.keyboard.press('Enter')
    expect(await block.getByTestId('reasoning-text').textContent()).toContain('The user asks: "Why is the sky blue?"')
    await screenshot(page, 'reasoning-open-light')
    expect(await axeViolations(page)).toEqual([])

    // Stored with the answer: a reload shows it, collapsed, with the same duration.
    const label = await block.getByTestId('reasoning-summary').textContent()
    await reload(page)
    expect(await page.getByTestId('reasoning-summary').textContent()).toBe(label)
    expect(await picker(page).textContent()).toContain('Thinker')
    await page.close()
  })
})
