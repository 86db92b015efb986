import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { launchBrowser, newContext, screenshot, signInAs } from '../support/browser'

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

describe('the profile photo in the header', () => {
  it('shows the Entra photo for a user who has one, and initials for one who has none', async () => {
    const adele = await (await newContext(browser, stack)).newPage()
    await signInAs(adele, stack, accounts.adele)
    // Fetched in the background after sign-in: the next page load shows it.
    await expect.poll(async () => {
      await adele.reload()
      return adele.getByTestId('user-photo').count()
    }).toBe(1)
    await expect.poll(() => adele.getByTestId('user-photo').evaluate(img => (img as HTMLImageElement).naturalWidth)).toBe(96)
    await screenshot(adele, 'header-profile-photo')

    const megan = await (await newContext(browser, stack)).newPage()
    const failed: string[] = []
    megan.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`)
    })
    await signInAs(megan, stack, accounts.megan)
    expect(await megan.getByTestId('user-initials').textContent()).toBe('MB')
    expect(await megan.getByTestId('user-photo').count()).toBe(0)
    expect(failed).toEqual([])
  })
})
