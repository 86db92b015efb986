import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page, Route } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { launchBrowser, newContext, screenshot, sendMessage, signInAs, waitForAnswer } from '../support/browser'

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

/**
 * Makes the first `failures` loads of the lazily loaded markdown renderer (the chunk holding the
 * code blocks' copy button) fail at the network, as a blip or a dev server re-optimising would.
 */
async function failMarkdownChunk(page: Page, failures: number) {
  let failed = 0
  await page.route('**/_nuxt/*.js', async (route: Route) => {
    const response = await route.fetch()
    const body = await response.text()
    if (body.includes('data-copy-code') && failed < failures) {
      failed++
      return route.abort('connectionreset')
    }
    return route.fulfill({ response, body })
  })
  return () => failed
}

async function signedIn(): Promise<Page> {
  const page = await (await newContext(browser, stack)).newPage()
  await signInAs(page, stack, accounts.megan)
  return page
}

describe('a lazily loaded part that fails to load', () => {
  it('is tried once more: the answer is rendered as Markdown, without a reload', async () => {
    const page = await signedIn()
    const failures = await failMarkdownChunk(page, 1)
    let loads = 0
    page.on('load', () => loads++)
    await sendMessage(page, 'A table, please')
    await waitForAnswer(page)
    await page.getByTestId('message-assistant').getByRole('table').waitFor()
    expect(failures()).toBe(1)
    expect(loads).toBe(0)
    await screenshot(page, 'failed-import-retried')
    await page.context().close()
  })

  it('still shows the answer, as plain text, when it fails again', async () => {
    const page = await signedIn()
    await failMarkdownChunk(page, Infinity)
    await sendMessage(page, 'A table, please')
    await waitForAnswer(page)
    const answer = page.getByTestId('message-assistant').getByTestId('message-text')
    await expect.poll(() => answer.textContent()).toContain('| Source | emulator |')
    expect(await page.getByTestId('message-assistant').getByRole('table').count()).toBe(0)
    await screenshot(page, 'failed-import-plain-text')
    await page.context().close()
  })
})
