import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import type { RecordedRequest } from '../../emulators/azure-openai/index.ts'
import { accounts, startStack, type Stack } from '../support/stack'
import { axeViolations, launchBrowser, newContext, open, screenshot, signInAs, waitForAnswer } from '../support/browser'

let stack: Stack
let browser: Browser

const PROMPT = 'You answer questions about the company policy handbook.'

beforeAll(async () => {
  stack = await startStack({ env: { CHAT_SYSTEM_PROMPT: 'Be brief.' } })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

async function promptSentWith(question: string) {
  const log: RecordedRequest[] = await (await fetch(`${stack.openai.url}/_emulator/requests`)).json()
  return log.filter(r => r.lastUserText === question).at(-1)?.inputTexts[0]
}

async function fillForm(page: Page, fields: { name: string, prompt: string, starters: string }) {
  await page.getByTestId('assistant-name').fill(fields.name)
  await page.getByTestId('assistant-prompt').fill(fields.prompt)
  await page.getByTestId('assistant-starters').fill(fields.starters)
  await page.getByTestId('assistant-save').click()
  await page.getByTestId('assistant-form').waitFor({ state: 'detached' })
}

describe('assistants', () => {
  it('an admin makes and publishes one on the admin page', async () => {
    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.adele, '/admin/assistants')
    await page.getByTestId('assistant-new').click()
    await fillForm(page, { name: 'Policy helper', prompt: PROMPT, starters: 'How many vacation days do I have?\nWhat is the travel policy?' })
    const list = page.getByTestId('assistant-list')
    await expect.poll(() => list.textContent()).toContain('Draft')
    await list.getByTestId('assistant-publish').click()
    await expect.poll(() => list.textContent()).toContain('Published')
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'assistants-admin')
    await page.close()
  })

  it('staff pick it on the new-chat screen and start from a starter prompt, with its prompt', async () => {
    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.megan)
    const assistant = page.getByTestId('assistant').filter({ hasText: 'Policy helper' })
    await assistant.click()
    expect(await assistant.getAttribute('aria-pressed')).toBe('true')
    await page.getByTestId('starter-prompt').first().waitFor()
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'assistants-new-chat-light')
    await page.getByTestId('starter-prompt').filter({ hasText: 'How many vacation days do I have?' }).click()
    await page.waitForURL(/\/chat\//)
    await waitForAnswer(page)
    expect(await page.getByTestId('message-user').textContent()).toContain('How many vacation days do I have?')
    expect(await promptSentWith('How many vacation days do I have?')).toBe(PROMPT)
    // The chat says which assistant it was begun with, also when opened again.
    await page.reload()
    await page.getByTestId('message-user').first().waitFor()
    expect(await page.getByTestId('chat-assistant').textContent()).toContain('With Policy helper')
    await screenshot(page, 'assistants-chat-begun-with')
    await page.close()
  })

  it('anyone makes a personal one, which only they see', async () => {
    const page = await (await newContext(browser, stack, { colorScheme: 'dark' })).newPage()
    await signInAs(page, stack, accounts.alex)
    await page.getByTestId('my-assistants').click()
    await page.waitForURL(/\/assistants$/)
    await page.getByTestId('assistant-new').click()
    await fillForm(page, { name: 'Email drafter', prompt: 'Draft short, friendly emails.', starters: 'Draft a thank-you note' })
    await open(page, `${stack.app.url}/`)
    await expect.poll(() => page.getByTestId('assistants').textContent()).toContain('Email drafter')
    await page.getByTestId('assistant').filter({ hasText: 'Email drafter' }).click()
    await page.getByTestId('starter-prompt').waitFor()
    await screenshot(page, 'assistants-new-chat-dark')
    await page.close()

    const phone = await (await newContext(browser, stack, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage()
    await signInAs(phone, stack, accounts.lynne)
    await expect.poll(() => phone.getByTestId('assistants').textContent()).toContain('Policy helper')
    expect(await phone.getByTestId('assistants').textContent()).not.toContain('Email drafter')
    await phone.getByTestId('assistant').first().click()
    await phone.getByTestId('starter-prompt').first().waitFor()
    await screenshot(phone, 'assistants-new-chat-phone')
    await phone.close()
  })
})
