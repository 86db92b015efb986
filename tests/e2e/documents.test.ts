import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { axeViolations, createChat, launchBrowser, newContext, open, screenshot, sendMessage, signInAs, waitForAnswer } from '../support/browser'

let stack: Stack
let browser: Browser
const pdf = readFileSync(join(import.meta.dirname, '../fixtures/travel-policy.pdf'))

beforeAll(async () => {
  stack = await startStack()
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

describe('company documents in the browser', () => {
  it('a PDF dropped on My documents shows its progress until ready', async () => {
    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.megan, '/documents')
    // A real drop: a DataTransfer holding the file, dispatched on the drop zone.
    const transfer = await page.evaluateHandle((bytes) => {
      const data = new DataTransfer()
      data.items.add(new File([new Uint8Array(bytes)], 'travel-policy.pdf', { type: 'application/pdf' }))
      return data
    }, [...pdf])
    await page.dispatchEvent('[data-testid="document-drop"]', 'dragover', { dataTransfer: transfer })
    await screenshot(page, 'documents-dragover')
    await page.dispatchEvent('[data-testid="document-drop"]', 'drop', { dataTransfer: transfer })
    const row = page.getByTestId('document-row').filter({ hasText: 'travel-policy.pdf' })
    await row.waitFor()
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('ready')
    expect(await row.textContent()).toContain('2 pages')
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'documents-ready')
    await page.close()
  })

  it('with "My documents" switched on, a question in a new chat is answered from the library', async () => {
    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.megan)
    const toggle = page.getByTestId('search-my-documents')
    await toggle.click()
    expect(await toggle.getAttribute('aria-pressed')).toBe('true')
    await sendMessage(page, 'When are travel expenses reimbursed?')
    await page.waitForURL(/\/chat\//)
    await waitForAnswer(page)
    const answer = page.getByTestId('message-assistant').last()
    expect(await answer.getByTestId('message-text').textContent()).toContain('According to [1] (travel-policy.pdf, page 1)')
    expect(await answer.getByTestId('citation-chip').first().textContent()).toContain('[1] travel-policy.pdf · p. 1')
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'documents-library-answer')
    await page.close()
  })

  it('an answer in a chat with an attached PDF cites it; the chip opens the passage', async () => {
    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.megan)
    const chatId = await createChat(page, stack, 'Hello')
    const uploaded = await page.request.post(`${stack.app.url}/api/documents`, {
      headers: { origin: stack.app.url },
      multipart: { scope: 'chat', chatId, file: { name: 'travel-policy.pdf', mimeType: 'application/pdf', buffer: pdf } },
    })
    expect(uploaded.status()).toBe(202)
    const { id } = await uploaded.json() as { id: string }
    await expect.poll(async () => (await (await page.request.get(`${stack.app.url}/api/documents/${id}`)).json()).status, { timeout: 30_000 }).toBe('ready')
    await open(page, `${stack.app.url}/chat/${chatId}`)
    await sendMessage(page, 'What is the hotel limit per night in Frankfurt?')
    await waitForAnswer(page)
    const answer = page.getByTestId('message-assistant').last()
    expect(await answer.getByTestId('message-text').textContent()).toContain('According to [1] (travel-policy.pdf, page 2)')
    const chip = answer.getByTestId('citation-chip').first()
    expect(await chip.textContent()).toContain('[1] travel-policy.pdf · p. 2')
    await screenshot(page, 'documents-answer-with-sources')
    await chip.click()
    const passage = page.getByTestId('citation-passage')
    await passage.waitFor()
    expect(await passage.textContent()).toContain('Hotel stays are limited to one hundred and fifty euros per night')
    expect(await passage.textContent()).toContain('page 2')
    await screenshot(page, 'documents-passage')
    // History shows the sources too.
    await page.keyboard.press('Escape')
    await open(page, `${stack.app.url}/chat/${chatId}`)
    await page.getByTestId('citation-chip').first().waitFor()
    await page.close()
  })
})
