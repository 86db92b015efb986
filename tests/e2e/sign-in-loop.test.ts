import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { accounts, entraControl, startStack, type Stack } from '../support/stack'
import { launchBrowser, newContext, screenshot, waitForHydration } from '../support/browser'

let stack: Stack
let browser: Browser
let page: Page

beforeAll(async () => {
  stack = await startStack()
  browser = await launchBrowser()
  page = await (await newContext(browser, stack)).newPage()
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

describe('a session that ends at once after every sign-in', () => {
  it('ends on the error page with the reason after two rounds, never ERR_TOO_MANY_REDIRECTS', async () => {
    // Tokens arrive already expired (as with clock skew) and Entra refuses every refresh.
    await entraControl(stack.entra, 'settings', { reportedExpiresInSeconds: 0 })
    await entraControl(stack.entra, `accounts/${accounts.megan.oid}/refuse-refresh`, { on: true })
    const authorizeRequests: string[] = []
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.endsWith('/oauth2/v2.0/authorize')) authorizeRequests.push(request.url())
    })
    await page.goto(`${stack.app.url}/`)
    await page.locator(`button[name="account"][value="${accounts.megan.oid}"]`).click()
    await page.waitForURL(url => url.pathname === '/auth/error')
    await waitForHydration(page)
    expect(new URL(page.url()).searchParams.get('error')).toBe('SignInLoop')
    await expect.poll(() => page.getByRole('heading').textContent()).toBe('Sign-in keeps ending at once')
    expect(await page.getByTestId('sign-in-error-reason').textContent()).toContain('RefreshAccessTokenError')
    expect(authorizeRequests).toHaveLength(2)
    await screenshot(page, 'sign-in-loop-stopped')

    // The cause gone, "Try again" signs in for good.
    await entraControl(stack.entra, 'settings', { reportedExpiresInSeconds: null })
    await entraControl(stack.entra, `accounts/${accounts.megan.oid}/refuse-refresh`, { on: false })
    await page.getByRole('link', { name: 'Try again' }).click()
    // It asks for select_account, so Entra shows the picker again.
    await page.waitForURL(url => url.toString().startsWith(stack.entra.authorityHost))
    await page.locator(`button[name="account"][value="${accounts.megan.oid}"]`).click()
    await page.waitForURL(`${stack.app.url}/`)
    await waitForHydration(page)
    await expect.poll(() => page.getByTestId('prompt-input').isVisible()).toBe(true)
  })
})
