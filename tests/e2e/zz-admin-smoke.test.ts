import { it, expect } from 'vitest'
import { launchBrowser, newContext, signInAs, axeViolations } from '../support/browser'
import { accounts, startStack } from '../support/stack'

it('admin smoke', async () => {
  const stack = await startStack()
  const browser = await launchBrowser()
  const errors: string[] = []
  try {
    const context = await newContext(browser, stack)
    const page = await context.newPage()
    page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`) })
    page.on('pageerror', e => errors.push(`pageerror: ${e.message}`))
    page.on('response', r => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`) })
    await signInAs(page, stack, accounts.adele)
    await page.getByTestId('prompt-input').fill('Hello there, how are you?')
    await page.keyboard.press('Enter')
    await page.waitForTimeout(1500)
    for (const path of ['/admin', '/admin/users', '/admin/usage', '/admin/audit']) {
      await page.goto(`${stack.app.url}${path}`)
      await page.waitForTimeout(1000)
      if (path === '/admin/usage') await page.locator('canvas').first().waitFor({ timeout: 5000 })
      await page.screenshot({ path: `/tmp/shot-${path.replaceAll('/', '_')}.png`, fullPage: true })
      console.log(path, await axeViolations(page), await page.locator('form').first().innerHTML().catch(() => ''))
    }
    // client-side navigation + interactions
    await page.goto(`${stack.app.url}/admin/users`)
    await page.getByRole('button', { name: /Disable Adele/ }).click()
    await page.screenshot({ path: '/tmp/shot-modal.png' })
    await page.keyboard.press('Escape')
    await page.getByLabel('Search users by name or email').fill('zzz')
    await page.getByText('No one matches.').waitFor()
    await page.getByRole('link', { name: 'Usage' }).click()
    await page.locator('canvas').first().waitFor({ timeout: 5000 })
    await page.getByRole('button', { name: '7 days' }).click()
    await page.waitForTimeout(500)
    await page.getByRole('link', { name: 'Audit log' }).click()
    await page.getByTestId('audit-table').waitFor()
    await page.screenshot({ path: '/tmp/shot-audit-nav.png', fullPage: true })
    console.log('errors', errors)
    const ctx2 = await newContext(browser, stack)
    const p2 = await ctx2.newPage()
    await signInAs(p2, stack, accounts.megan)
    await p2.goto(`${stack.app.url}/admin/usage`)
    await p2.getByTestId('admin-not-allowed').waitFor()
    await p2.screenshot({ path: '/tmp/shot-notallowed.png' })
    expect(true).toBe(true)
  }
  finally {
    console.log('ERRORS', errors)
    console.log(stack.app.output().split('\n').filter(l => /"level":"(error|warn)"|500/.test(l)).slice(-20).join('\n'))
    await browser.close()
    await stack.stop()
  }
})
