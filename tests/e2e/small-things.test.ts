import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { launchBrowser, newContext, open, screenshot, signInAs } from '../support/browser'

// The small things a person notices in the first ten minutes (issue 16, item 11).
const LIMIT = 200
let stack: Stack
let browser: Browser
let page: Page

beforeAll(async () => {
  stack = await startStack({ env: { CHAT_MAX_MESSAGE_CHARS: String(LIMIT), RATE_LIMIT_REQUESTS_PER_MINUTE: '1000' } })
  browser = await launchBrowser()
  page = await (await newContext(browser, stack)).newPage()
  await signInAs(page, stack, accounts.adele)
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

const input = () => page.getByTestId('prompt-input')
const send = () => page.getByTestId('send')
const notice = () => page.getByTestId('prompt-notice')

describe('the message box', () => {
  it('counts characters near the limit and refuses to send past it, saying why', async () => {
    await open(page, `${stack.app.url}/`)
    await input().fill('a'.repeat(150))
    expect(await page.getByTestId('char-count').count()).toBe(0)
    await input().fill('a'.repeat(185))
    expect(await page.getByTestId('char-count').textContent()).toBe(`185 / ${LIMIT}`)
    expect(await send().isEnabled()).toBe(true)
    await input().fill('a'.repeat(LIMIT + 12))
    expect(await page.getByTestId('char-count').textContent()).toBe(`212 / ${LIMIT}`)
    expect(await send().isDisabled()).toBe(true)
    await input().press('Enter')
    await expect.poll(() => notice().textContent()).toContain('Too long by 12 characters')
    expect(await page.getByTestId('message-user').count()).toBe(0)
    expect(page.url()).toBe(`${stack.app.url}/`)
    await screenshot(page, 'prompt-too-long')
  })

  it('makes a disabled Send look disabled', async () => {
    await open(page, `${stack.app.url}/`)
    await input().fill('')
    const look = () => send().evaluate(el => ({ background: getComputedStyle(el).backgroundColor, cursor: getComputedStyle(el).cursor }))
    const disabled = await look()
    await input().fill('Ready to go')
    const enabled = await look()
    expect(disabled.background).not.toBe(enabled.background)
    expect(disabled.cursor).toBe('not-allowed')
  })

  it('says why Enter does not send while an answer is being written, and keeps the text', async () => {
    await open(page, `${stack.app.url}/`)
    await input().fill('Tell me a long story [[emulator:long]] [[emulator:slow]]')
    await input().press('Enter')
    await page.getByTestId('stop').waitFor()
    await input().fill('And a follow-up')
    await input().press('Enter')
    await expect.poll(() => notice().textContent()).toContain('An answer is still being written')
    expect(await input().inputValue()).toBe('And a follow-up')
    await screenshot(page, 'prompt-busy-notice')
    await page.getByTestId('stop').click()
    await send().waitFor()
    await expect.poll(() => notice().textContent()).toBe('')
  })
})

describe('the administration pages', () => {
  it('keep the account menu and the emulator banner, and offer no Disable on my own row', async () => {
    await open(page, `${stack.app.url}/admin/users`)
    await page.getByTestId('emulator-banner').waitFor()
    const rows = page.locator('tbody tr')
    await rows.first().waitFor()
    const mine = rows.filter({ hasText: 'Adele Vance' })
    expect(await mine.getByTestId('self-row').textContent()).toBe('You')
    expect(await mine.getByRole('button', { name: /Disable/ }).count()).toBe(0)
    await page.getByTestId('user-menu').click()
    await page.getByRole('menuitemcheckbox', { name: 'Dark' }).waitFor()
    await page.getByRole('menuitem', { name: 'Sign out' }).waitFor()
    await screenshot(page, 'admin-user-menu')
    await page.keyboard.press('Escape')
  })
})

describe('around the app', () => {
  it('names the app on the signed-out page and offers to sign in again', async () => {
    const other = await (await newContext(browser, stack)).newPage()
    await open(other, `${stack.app.url}/signed-out`)
    expect(await other.getByText('Assistant', { exact: true }).count()).toBe(1)
    await other.getByRole('link', { name: 'Sign in again' }).waitFor()
    expect(await other.title()).toContain('Assistant')
    await screenshot(other, 'signed-out-branded')
    await other.close()
  })

  it('gets a favicon from the Entra emulator', async () => {
    const response = await fetch(new URL('/favicon.ico', stack.entra.authorityHost))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/svg+xml')
    expect(await response.text()).toContain('<svg')
  })
})
