import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { accounts } from '../../emulators/entra/index.ts'
import { launchBrowser, pickAccount, screenshot, sendMessage, waitForAnswer } from '../support/browser'
import { startDevServer, type DevServer } from '../support/dev-server'
import { logDir } from '../support/app-server'
import type { Stack } from '../support/stack'

let dev: DevServer
let browser: Browser

beforeAll(async () => {
  ;[dev, browser] = await Promise.all([startDevServer({ viaNpm: true }), launchBrowser()])
})
afterAll(async () => {
  await browser?.close()
  // Kept for a person to read (Vite names each dependency it optimized late).
  if (dev) {
    mkdirSync(logDir, { recursive: true })
    writeFileSync(join(logDir, 'dev-first-run.log'), dev.output())
  }
  await dev?.stop()
})

describe('the first `npm run dev`', () => {
  it('signs in, asks, gets the answer and opens the usage chart without a failed import or a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    // The first visit compiles every module the page needs.
    page.setDefaultTimeout(180_000)
    const failed: string[] = []
    page.on('response', (response) => {
      if (response.status() >= 500) failed.push(`${response.status()} ${response.url()}`)
    })
    page.on('console', (message) => {
      if (/Failed to fetch dynamically imported module|Outdated Optimize Dep|error loading dynamically imported module/i.test(message.text())) failed.push(message.text())
    })
    let loads = 0
    page.on('load', () => loads++)

    await page.goto(`${dev.url}/`)
    await pickAccount(page, { app: { url: dev.url } } as Stack, accounts.adele)
    const signedIn = loads
    await sendMessage(page, 'Show me a table and some TypeScript code, please.')
    await waitForAnswer(page)
    const answer = page.getByTestId('message-assistant').last()
    await answer.getByTestId('markdown').waitFor()
    expect((await answer.textContent())!.length).toBeGreaterThan(20)
    expect(await page.getByTestId('message-user').last().textContent()).toContain('Show me a table')
    expect(loads, 'the page reloaded while the first answer came').toBe(signedIn)

    await page.goto(`${dev.url}/admin/usage`)
    const opened = loads
    await page.locator('canvas').first().waitFor()
    await screenshot(page, 'dev-first-run-usage')
    expect(loads, 'the usage page reloaded').toBe(opened)
    expect(failed).toEqual([])
    await context.close()
  })
})
