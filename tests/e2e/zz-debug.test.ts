import { afterAll, beforeAll, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { launchBrowser, newContext, sendMessage, signInAs, waitForAnswer } from '../support/browser'

let stack: Stack
let browser: Browser
let page: Page
beforeAll(async () => {
  stack = await startStack()
  browser = await launchBrowser()
  page = await (await newContext(browser, stack)).newPage()
  await signInAs(page, stack, accounts.megan)
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

it('debug stop/reload/regenerate', async () => {
  const t0 = Date.now()
  page.on('response', async (r) => {
    if (r.request().method() === 'POST' && r.url().endsWith('/messages')) {
      const body = await r.text().catch(e => String(e))
      console.log('REQ', r.request().postData(), 'START', body.split('\n').find(l => l.includes('"start"')))
    }
    if (r.url().includes('/api/chats/')) console.log(Date.now() - t0, r.request().method(), r.url().replace(stack.app.url, ''), r.status(), r.url().endsWith('-') ? '' : (r.request().method() === 'GET' && !r.url().includes('messages') ? await r.text().catch(() => '') : ''))
  })
  for (let i = 0; i < 1; i++) {
    await page.goto(`${stack.app.url}/`)
    await sendMessage(page, `Tell me about the travel policy ${i} [[emulator:slow]]`)
    const answer = page.getByTestId('message-assistant').last()
    await answer.getByTestId('message-text').waitFor()
    console.log(Date.now() - t0, 'click stop')
    await page.getByTestId('stop').click()
    await waitForAnswer(page)
    console.log(Date.now() - t0, 'stopped; reload')
    await page.reload()
    await page.getByTestId('message-assistant').last().waitFor()
    console.log(Date.now() - t0, 'server-generating visible?', await page.getByTestId('server-generating').count())
    const id = await page.getByTestId('message-assistant').last().getAttribute('data-message-id')
    console.log('OLD ID', id)
    await page.getByTestId('message-assistant').last().getByTestId('regenerate').click()
    await page.getByTestId('stop').waitFor()
    await waitForAnswer(page)
    console.log('NEW ID', await page.getByTestId('message-assistant').last().getAttribute('data-message-id'))
    console.log(Date.now() - t0, 'same id?', id === await page.getByTestId('message-assistant').last().getAttribute('data-message-id'))
  }
})
