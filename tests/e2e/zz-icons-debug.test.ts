import { afterAll, beforeAll, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { launchBrowser, newContext, signInAs } from '../support/browser'

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

it('icons debug', async () => {
  page.on('console', m => console.log('CONSOLE', m.type(), m.text().slice(0, 300)))
  page.on('response', r => { if (r.status() >= 400) console.log('BAD', r.status(), r.url()) })
  page.on('requestfinished', async r => { const res = await r.response(); if (r.url().includes('icon') || (res && res.status() >= 400)) console.log('RESP', res?.status(), r.url()) })
  page.on('requestfailed', r => console.log('FAILED', r.url(), r.failure()?.errorText))
  await signInAs(page, stack, accounts.megan)
  console.log('ICONSTATE', await page.evaluate(() => { const el = document.querySelector('.iconify'); const cs = el && getComputedStyle(el); return el ? [el.className, cs!.display, cs!.width, cs!.maskImage.slice(0, 60), cs!.getPropertyValue('--svg').slice(0, 40), document.styleSheets.length, [...document.querySelectorAll('style')].map(s => (s.getAttribute('nonce') ? 'N' : '-') + s.textContent!.length).join(',')] : 'none' }))
  const r = await page.request.get(stack.app.url + '/')
  console.log('CSP', r.headers()['content-security-policy'])
  const html = await r.text()
  const { writeFileSync } = await import('node:fs')
  writeFileSync('/tmp/page.html', html)
  console.log('ICON STYLES', (html.match(/i-lucide[^{]{0,40}\{[^}]{0,120}/g) ?? []).slice(0, 3))
  console.log('STYLE TAGS', (html.match(/<style[^>]*>/g) ?? []).slice(0, 5))
  console.log('ICON SPANS', (html.match(/<span[^>]*iconify[^>]*>/g) ?? []).slice(0, 3))
})
