import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { seedAudit } from '../support/seed'
import { axeViolations, launchBrowser, newContext, screenshot, sendMessage, signInAs } from '../support/browser'

let stack: Stack
let browser: Browser
/** Adele holds the Admin role. */
let admin: Page

beforeAll(async () => {
  stack = await startStack()
  browser = await launchBrowser()
  admin = await (await newContext(browser, stack)).newPage()
  await signInAs(admin, stack, accounts.adele)
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

/** A browser of its own for one person, signed in. */
async function signedIn(account: { oid: string }): Promise<Page> {
  const page = await (await newContext(browser, stack)).newPage()
  await signInAs(page, stack, account)
  return page
}

/** Disables an account through the admin API with Adele's session, as the Users page does. */
async function disable(account: { email: string }) {
  const found = await admin.request.get(`${stack.app.url}/api/admin/users`, { params: { q: account.email } })
  const { users } = await found.json() as { users: Array<{ id: string, email: string | null }> }
  const user = users.find(u => u.email === account.email)
  if (!user) throw new Error(`${account.email} is not in the user list`)
  const response = await admin.request.post(`${stack.app.url}/api/admin/users/${user.id}/disable`, { headers: { origin: stack.app.url } })
  expect(response.status()).toBe(200)
}

describe('the account menu', () => {
  it('leads an administrator to the administration pages', async () => {
    await admin.getByTestId('user-menu').click()
    const item = admin.getByRole('menuitem', { name: 'Administration' })
    await item.waitFor()
    await screenshot(admin, 'account-menu-admin')
    await item.click()
    await admin.waitForURL(`${stack.app.url}/admin`)
    await admin.getByRole('heading', { name: 'Administration' }).waitFor()
    await screenshot(admin, 'admin-from-account-menu')
  })

  it('pages through the audit log with Load more', async () => {
    await seedAudit(stack, 80)
    await admin.goto(`${stack.app.url}/admin/audit`)
    const rows = admin.locator('tbody tr')
    await expect.poll(() => rows.count()).toBe(50)
    await admin.getByRole('button', { name: 'Load more' }).click()
    await expect.poll(() => rows.count()).toBeGreaterThan(50)
    await screenshot(admin, 'admin-audit-load-more')
  })

  it('has no administration item for anyone else', async () => {
    const page = await signedIn(accounts.megan)
    await page.getByTestId('user-menu').click()
    await page.getByRole('menuitem', { name: 'Sign out' }).waitFor()
    expect(await page.getByRole('menuitem', { name: 'Administration' }).count()).toBe(0)
    await screenshot(page, 'account-menu')
    await page.context().close()
  })
})

describe('an account disabled by an administrator', () => {
  it('is told so when sending a message, instead of being sent through sign-in', async () => {
    const page = await signedIn(accounts.lynne)
    await disable(accounts.lynne)
    await sendMessage(page, 'Can I still ask something?')
    await page.waitForURL(`${stack.app.url}/auth/error?error=AccountDisabled`)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Your account is disabled')
    expect(await page.getByTestId('sign-in-error').textContent()).toContain('An administrator has disabled your access to the assistant.')
    expect(await page.getByRole('link', { name: 'Try again' }).count()).toBe(0)
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'account-disabled')
    await page.context().close()
  })

  it('is told so when any other call is refused', async () => {
    const page = await signedIn(accounts.alex)
    await disable(accounts.alex)
    // Searching the chat list is a plain API call (useApi), not the chat stream.
    await page.getByTestId('sidebar').getByTestId('chat-search').fill('budget')
    await page.waitForURL(`${stack.app.url}/auth/error?error=AccountDisabled`)
    expect(await page.getByTestId('sign-in-error').textContent()).toContain('An administrator has disabled your access to the assistant.')
    await page.context().close()
  })

  it('is told so when the page reads the session again as the window comes back into view', async () => {
    const page = await signedIn(accounts.megan)
    await disable(accounts.megan)
    // What the browser fires when the tab is shown again; the session then carries AccountDisabled.
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')))
    await page.waitForURL(`${stack.app.url}/auth/error?error=AccountDisabled`)
    expect(await page.getByTestId('sign-in-error').textContent()).toContain('An administrator has disabled your access to the assistant.')
    await page.context().close()
  })
})
