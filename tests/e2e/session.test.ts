import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { launchBrowser, newContext, pickAccount, screenshot, signInAs } from '../support/browser'

let stack: Stack
let browser: Browser
let page: Page

async function entra(path: string, body?: unknown) {
  const response = await fetch(`${stack.entra.authorityHost}/_emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`Entra emulator ${path}: ${response.status}`)
}

beforeAll(async () => {
  stack = await startStack()
  // Tokens that arrive already due (expires_in 0): every request refreshes, so the revocation
  // below is noticed at the very next request.
  await entra('settings', { reportedExpiresInSeconds: 0 })
  browser = await launchBrowser()
  page = await (await newContext(browser, stack)).newPage()
  await signInAs(page, stack, accounts.megan)
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

describe('when the session ends', () => {
  it('keeps the draft through the trip to sign in again', async () => {
    const draft = 'Draft about the Q3 budget\nsecond line that must survive'
    const input = page.getByTestId('prompt-input')
    await input.fill(draft)
    // Drafts are saved a moment after typing stops.
    await page.waitForFunction(text => localStorage.getItem('assistant:draft:new') === text, draft)

    await entra(`accounts/${accounts.megan.oid}/revoke`)
    await input.press('Enter')

    // The send is refused (401) and the browser goes through sign-in again.
    await page.waitForURL(url => url.toString().startsWith(stack.entra.authorityHost))
    await pickAccount(page, stack, accounts.megan)
    await page.waitForURL(`${stack.app.url}/`)
    await expect.poll(() => input.inputValue()).toBe(draft)
    await screenshot(page, 'session-draft-restored')
  })

  it('keeps a draft that was not sent when the page is reloaded after the session ended', async () => {
    const draft = 'Another draft, never sent'
    const input = page.getByTestId('prompt-input')
    await input.fill(draft)
    await page.waitForFunction(text => localStorage.getItem('assistant:draft:new') === text, draft)
    await entra(`accounts/${accounts.megan.oid}/revoke`)
    await page.reload()
    await page.waitForURL(url => url.toString().startsWith(stack.entra.authorityHost))
    await pickAccount(page, stack, accounts.megan)
    await expect.poll(() => input.inputValue()).toBe(draft)
    await screenshot(page, 'session-draft-restored-after-reload')
  })
})
