import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { axeViolations, createChat, launchBrowser, newContext, open, screenshot, signInAs, waitForHydration } from '../support/browser'

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

describe('sharing in the browser', () => {
  it('the owner shares a chat, a colleague opens it read-only and continues it, the owner sees that and revokes', async () => {
    const owner = await (await newContext(browser, stack)).newPage()
    await signInAs(owner, stack, accounts.megan)
    const chatId = await createChat(owner, stack, 'Plan the team offsite in Lisbon')
    await open(owner, `${stack.app.url}/chat/${chatId}`)
    await owner.locator(`[data-testid="chat-item"][data-chat-id="${chatId}"]`).getByTestId('chat-options').click()
    await owner.getByRole('menuitem', { name: 'Share…' }).click()
    await owner.waitForURL(`${stack.app.url}/share/${chatId}`)
    await waitForHydration(owner)
    await owner.getByRole('radio', { name: /Live/ }).check()
    await owner.getByTestId('share-create').click()
    const link = owner.getByTestId('share-link').first()
    await link.waitFor()
    const url = (await link.getByTestId('share-path').textContent())!.trim()
    expect(url).toMatch(new RegExp(`^${stack.app.url}/shared/[0-9a-f-]{36}$`))
    // Away from the button: a hovered button's lighter shade is not what axe should judge.
    await owner.mouse.move(0, 0)
    expect(await axeViolations(owner)).toEqual([])

    const colleague = await (await newContext(browser, stack)).newPage()
    await signInAs(colleague, stack, accounts.alex, new URL(url).pathname)
    await colleague.getByTestId('shared-banner').waitFor()
    expect(await colleague.getByTestId('shared-banner').textContent()).toContain('Shared by Megan Bowen')
    expect(await colleague.getByTestId('message-user').textContent()).toContain('Plan the team offsite in Lisbon')
    // Read-only: no editing, no regenerating, no message box.
    expect(await colleague.getByTestId('edit-message').count()).toBe(0)
    expect(await colleague.getByTestId('regenerate').count()).toBe(0)
    expect(await colleague.getByTestId('prompt-input').count()).toBe(0)
    expect(await axeViolations(colleague)).toEqual([])
    await screenshot(colleague, 'shared-chat')

    await colleague.getByTestId('shared-continue').click()
    await colleague.waitForURL(/\/chat\/[0-9a-f-]{36}$/)
    expect(colleague.url()).not.toContain(chatId)
    await colleague.getByTestId('prompt-input').waitFor()
    expect(await colleague.getByTestId('message-user').first().textContent()).toContain('Plan the team offsite in Lisbon')
    // The copy is the colleague's own chat, listed in their sidebar.
    expect(await colleague.getByTestId('chat-item').filter({ hasText: 'Plan the team offsite in Lisbon' }).count()).toBe(1)
    await screenshot(colleague, 'shared-chat-continued')

    await owner.reload()
    await waitForHydration(owner)
    await expect.poll(() => owner.getByTestId('share-viewers').textContent()).toContain('Alex Wilber')
    await screenshot(owner, 'share-owner')
    await owner.getByTestId('share-revoke').click()
    await expect.poll(() => owner.getByTestId('share-link').first().getAttribute('data-revoked')).toBe('true')

    const response = await colleague.goto(url)
    expect(response?.status()).toBe(404)
    await colleague.getByTestId('shared-missing').waitFor()
    await owner.close()
    await colleague.close()
  })

  it('fits a phone', async () => {
    const page = await (await newContext(browser, stack, { viewport: { width: 390, height: 844 } })).newPage()
    await signInAs(page, stack, accounts.megan)
    const chatId = await createChat(page, stack, 'Phone check')
    await open(page, `${stack.app.url}/share/${chatId}`)
    await page.getByTestId('share-create').click()
    await page.getByTestId('share-link').first().waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    await screenshot(page, 'share-owner-phone')
    await page.close()
  })
})
