import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { accounts, entraControl, startStack, type Stack } from '../support/stack'
import { launchBrowser, newContext, signInAs, waitForHydration } from '../support/browser'

let stack: Stack
let browser: Browser
let page: Page

beforeAll(async () => {
  stack = await startStack()
  // Tokens arrive already due: the next request refreshes, and meets the challenge.
  await entraControl(stack.entra, 'settings', { reportedExpiresInSeconds: 0 })
  browser = await launchBrowser()
  page = await (await newContext(browser, stack)).newPage()
  await signInAs(page, stack, accounts.alex)
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

describe('a Conditional Access claims challenge', () => {
  it('sends the browser once to Entra with the claims, back to the page, with the draft kept', async () => {
    const draft = 'A draft written before the step-up'
    const input = page.getByTestId('prompt-input')
    await input.fill(draft)
    await page.waitForFunction(text => localStorage.getItem('assistant:draft:new') === text, draft)
    const authorizeRequests: URL[] = []
    page.on('request', (request) => {
      const url = new URL(request.url())
      if (url.pathname.endsWith('/oauth2/v2.0/authorize')) authorizeRequests.push(url)
    })
    await entraControl(stack.entra, `accounts/${accounts.alex.oid}/claims-challenge`, { on: true })
    await input.press('Enter')
    // Entra still has the browser session and the authorize request satisfies the challenge, so
    // the trip there and back is silent and quick.
    await expect.poll(() => authorizeRequests.length).toBe(1)
    await page.waitForURL(`${stack.app.url}/`)
    await waitForHydration(page)
    await expect.poll(() => input.inputValue()).toBe(draft)
    expect(authorizeRequests).toHaveLength(1)
    const claims = JSON.parse(authorizeRequests[0]!.searchParams.get('claims')!)
    expect(claims.access_token.capolids.values).toEqual([`ca-${accounts.alex.oid}`])
  })
})
