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
    // Into my group's shared library instead: picked beside the button, named from Graph.
    await page.getByTestId('upload-target').click()
    await page.getByRole('option', { name: 'All staff (its members)' }).click()
    await page.getByTestId('document-input').setInputFiles({ name: 'canteen.md', mimeType: 'text/markdown', buffer: Buffer.from('# Canteen\n\nThe canteen opens at half past eleven.\n') })
    const shared = page.getByTestId('document-row').filter({ hasText: 'canteen.md' })
    await shared.waitFor()
    expect(await shared.textContent()).toContain('Shared with All staff')
    await screenshot(page, 'documents-shared-with-group')
    // Removed again, so that the next test sees only My documents' library among its picks.
    await shared.getByTestId('document-remove').click()
    await shared.waitFor({ state: 'detached' })
    await page.close()
  })

  it('with "My documents" picked beside the prompt box, a question in a new chat is answered from the library', async () => {
    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.megan)
    const picker = page.getByTestId('library-picker')
    expect(await picker.textContent()).toContain('Documents')
    await picker.click()
    // Mine, with its ready document; my group's library only once it holds documents.
    const mine = page.getByRole('menuitemcheckbox', { name: 'My documents (1)' })
    await mine.waitFor()
    expect(await page.getByRole('menuitemcheckbox').count()).toBe(1)
    await screenshot(page, 'documents-library-picker')
    await mine.click()
    expect(await mine.getAttribute('aria-checked')).toBe('true')
    await page.keyboard.press('Escape')
    expect(await picker.textContent()).toContain('My documents')
    await sendMessage(page, 'When are travel expenses reimbursed?')
    await page.waitForURL(/\/chat\//)
    await waitForAnswer(page)
    const answer = page.getByTestId('message-assistant').last()
    // The new chat's page hands over to the chat's own page, which follows the stored answer: for
    // a moment the Send button is back before the text arrives.
    await expect.poll(() => answer.textContent(), { timeout: 15_000 }).toContain('According to [1] (travel-policy.pdf, page 1)')
    expect(await answer.getByTestId('message-text').textContent()).toContain('According to [1] (travel-policy.pdf, page 1)')
    expect(await answer.getByTestId('citation-chip').first().textContent()).toContain('[1] travel-policy.pdf · p. 1')
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'documents-library-answer')
    await page.close()
  })

  it('a PDF dropped on a chat shows its progress, then the answer cites it; the chip opens the passage', async () => {
    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.megan)
    const chatId = await createChat(page, stack, 'Hello')
    await open(page, `${stack.app.url}/chat/${chatId}`)
    const transfer = await page.evaluateHandle((bytes) => {
      const data = new DataTransfer()
      data.items.add(new File([new Uint8Array(bytes)], 'travel-policy.pdf', { type: 'application/pdf' }))
      return data
    }, [...pdf])
    await page.dispatchEvent('[data-testid="chat-drop"]', 'dragover', { dataTransfer: transfer })
    await page.getByTestId('chat-drop-hint').waitFor()
    await screenshot(page, 'documents-chat-dragover')
    await page.dispatchEvent('[data-testid="chat-drop"]', 'drop', { dataTransfer: transfer })
    expect(await page.getByTestId('chat-drop-hint').count()).toBe(0)
    const chip = page.getByTestId('chat-attachment').filter({ hasText: 'travel-policy.pdf' })
    await chip.waitFor()
    await expect.poll(() => chip.getAttribute('data-status'), { timeout: 30_000 }).toBe('ready')
    expect(await chip.getByTestId('chat-attachment-status').textContent()).toBe('Ready')
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'documents-chat-attached')
    await sendMessage(page, 'What is the hotel limit per night in Frankfurt?')
    await waitForAnswer(page)
    const answer = page.getByTestId('message-assistant').last()
    expect(await answer.getByTestId('message-text').textContent()).toContain('According to [1] (travel-policy.pdf, page 2)')
    const citation = answer.getByTestId('citation-chip').first()
    expect(await citation.textContent()).toContain('[1] travel-policy.pdf · p. 2')
    await screenshot(page, 'documents-answer-with-sources')
    await citation.click()
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

  it('on the new-chat page, a file picked with the paperclip or pasted begins the chat; Send waits until they are read', async () => {
    const page = await (await newContext(browser, stack)).newPage()
    await signInAs(page, stack, accounts.megan)
    await page.getByTestId('attach-input').setInputFiles({ name: 'travel-policy.pdf', mimeType: 'application/pdf', buffer: pdf })
    // Pasted as a file manager's copy would be: a file on the clipboard, into the prompt box.
    await page.getByTestId('prompt-input').evaluate((box) => {
      const data = new DataTransfer()
      data.items.add(new File(['# Parking\n\nParking spaces are assigned by the facilities team.\n'], 'parking.md', { type: 'text/markdown' }))
      box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    })
    const chips = page.getByTestId('chat-attachment')
    await expect.poll(() => chips.count()).toBe(2)
    // Nothing of the file's bytes landed in the message box.
    expect(await page.getByTestId('prompt-input').inputValue()).toBe('')
    await page.getByTestId('prompt-input').fill('What is the hotel limit per night in Frankfurt?')
    await expect.poll(async () => (await chips.evaluateAll(els => els.map(e => e.getAttribute('data-status')))).every(s => s === 'ready'), { timeout: 30_000 }).toBe(true)
    expect(await page.getByTestId('send').isEnabled()).toBe(true)
    await screenshot(page, 'documents-new-chat-attached')
    await page.getByTestId('prompt-input').press('Enter')
    await page.waitForURL(/\/chat\//)
    await waitForAnswer(page)
    const answer = page.getByTestId('message-assistant').last()
    expect(await answer.getByTestId('message-text').textContent()).toContain('travel-policy.pdf, page 2')
    // The chat keeps its files, and is named after its first question.
    await open(page, page.url())
    await expect.poll(() => chips.count()).toBe(2)
    expect(await page.title()).toContain('What is the hotel limit per night in Frankfurt?')
    // Removed from the chat: gone from it, and from My documents.
    await chips.filter({ hasText: 'parking.md' }).getByTestId('chat-attachment-remove').click()
    await expect.poll(() => chips.count()).toBe(1)
    expect(((await (await page.request.get(`${stack.app.url}/api/documents`)).json()) as { documents: Array<{ name: string }> }).documents.map(d => d.name)).not.toContain('parking.md')
    await page.close()
  })
})
