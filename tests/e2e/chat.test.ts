import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page, Request } from 'playwright-core'
import { accounts, startStack, type Stack } from '../support/stack'
import { axeViolations, launchBrowser, newContext, open, pickAccount, reload, screenshot, sendMessage, waitForAnswer } from '../support/browser'

let stack: Stack
let browser: Browser
let page: Page
const offHost: string[] = []

beforeAll(async () => {
  stack = await startStack()
  browser = await launchBrowser()
  page = await (await newContext(browser, stack)).newPage()
  page.on('request', (request) => {
    const host = new URL(request.url()).hostname
    if (!['127.0.0.1', 'localhost'].includes(host) && !request.url().startsWith('data:')) offHost.push(request.url())
  })
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

const answers = () => page.getByTestId('message-assistant')
const questions = () => page.getByTestId('message-user')

async function newChat() {
  await page.getByTestId('new-chat').click()
  await page.waitForURL(`${stack.app.url}/`)
  await page.getByTestId('welcome').waitFor()
}

describe('signing in', () => {
  it('goes straight to the Entra account picker and comes back signed in', async () => {
    const committed: string[] = []
    const documents: Array<{ url: string, status: number }> = []
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) committed.push(frame.url())
    })
    page.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
        documents.push({ url: response.url(), status: response.status() })
      }
    })

    await page.goto(`${stack.app.url}/`)
    await page.locator(`button[name="account"][value="${accounts.megan.oid}"]`).waitFor()

    // Before the picker the app only answered with redirects, and no page of ours was shown.
    const picker = documents.findIndex(d => d.url.startsWith(stack.entra.authorityHost) && d.status === 200)
    expect(picker).toBeGreaterThan(0)
    const ours = documents.slice(0, picker).filter(d => d.url.startsWith(stack.app.url))
    expect(ours.length).toBeGreaterThan(0)
    for (const d of ours) expect([302, 303, 307], d.url).toContain(d.status)
    expect(committed.filter(url => url.startsWith(stack.app.url))).toEqual([])

    await pickAccount(page, stack, accounts.megan)
    await page.getByTestId('prompt-input').waitFor()
    expect(await page.getByTestId('user-name').textContent()).toBe('Megan Bowen')
    expect(await page.getByTestId('emulator-banner').textContent()).toContain('Local emulators: not connected to Microsoft Entra ID / Azure OpenAI')
    // Icons are drawn from the bundled Lucide set (CSS masks with inline SVG), not fetched.
    expect(await page.getByTestId('new-chat').locator('.iconify').evaluate(el => getComputedStyle(el).maskImage)).toContain('data:image/svg+xml')
    await screenshot(page, 'signed-in')
  })
})

describe('chatting', () => {
  it('streams the answer in, keeps it after a reload and lists the chat in the sidebar', async () => {
    // Every distinct text the answer shows while it streams, and a mark that a reload would erase.
    await page.evaluate(() => {
      const seen = new Set<string>()
      Object.assign(window, { answerStates: seen, marker: 'same page' })
      new MutationObserver(() => {
        const answer = [...document.querySelectorAll('[data-testid="message-assistant"] [data-testid="message-text"]')].at(-1)
        if (answer?.textContent) seen.add(answer.textContent)
      }).observe(document.body, { subtree: true, childList: true, characterData: true })
    })
    const question = 'Explain our code review policy [[emulator:delay=30]]'
    await sendMessage(page, question)
    await page.waitForURL(/\/chat\/[0-9a-f-]{36}$/)
    await waitForAnswer(page)
    const answer = answers().last()
    expect(await answer.textContent()).toContain('That is all for now')
    expect(await answer.locator('pre code.hljs').count()).toBe(1)
    expect(await page.evaluate(() => (window as unknown as { answerStates: Set<string> }).answerStates.size)).toBeGreaterThanOrEqual(2)
    // The address changed to /chat/<id> without loading a new page.
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page')

    const text = await answer.getByTestId('message-text').textContent()
    // Copy the answer, and the code block on its own.
    await answer.getByTestId('copy-message').click()
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain('That is all for now')
    await answer.getByTestId('copy-code').click()
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toMatch(/^export function greet/)

    const url = page.url()
    await reload(page)
    await questions().first().waitFor()
    expect(page.url()).toBe(url)
    expect(await questions().first().textContent()).toContain(question)
    expect(await answers().last().getByTestId('message-text').textContent()).toBe(text)
    const item = page.getByTestId('sidebar').locator(`[data-chat-id="${url.split('/').at(-1)}"]`)
    expect(await item.textContent()).toContain(question)
    expect(await item.getByTestId('chat-link').getAttribute('aria-current')).toBe('page')
    await screenshot(page, 'chat-answer')
  })

  it('keeps a stopped answer marked as stopped, regenerates it, and replaces later messages when one is edited', async () => {
    await newChat()
    await sendMessage(page, 'Tell me about the travel policy [[emulator:slow]]')
    const answer = answers().last()
    await answer.getByTestId('message-text').waitFor()
    await page.getByTestId('stop').click()
    await waitForAnswer(page)
    expect(await answer.getAttribute('data-status')).toBe('stopped')
    expect(await answer.getByTestId('message-status').textContent()).toContain('Stopped before the answer was complete.')
    const stoppedText = await answer.getByTestId('message-text').textContent()
    expect(stoppedText).not.toContain('That is all for now')
    await screenshot(page, 'chat-stopped')

    // The stopped answer was stored as it was: stopped, with its note.
    await reload(page)
    await answers().last().waitFor()
    expect(await answers().last().getAttribute('data-status')).toBe('stopped')
    expect(await answers().last().getByTestId('message-status').textContent()).toContain('Stopped before the answer was complete.')
    expect(await axeViolations(page)).toEqual([])

    await answers().last().getByTestId('regenerate').click()
    await page.getByTestId('stop').waitFor()
    await waitForAnswer(page)
    expect(await answers().count()).toBe(1)
    expect(await answers().last().getAttribute('data-status')).toBe('complete')
    expect(await answers().last().textContent()).toContain('That is all for now')

    await sendMessage(page, 'And what about hotels?')
    await page.getByTestId('stop').waitFor()
    await waitForAnswer(page)
    expect(await questions().count()).toBe(2)

    await questions().first().hover()
    await questions().first().getByTestId('edit-message').click()
    const editor = page.getByTestId('edit-input')
    await editor.fill('Tell me about the expenses policy')
    await editor.press('Enter')
    await page.getByTestId('stop').waitFor()
    await waitForAnswer(page)
    expect(await questions().count()).toBe(1)
    expect(await questions().first().textContent()).toContain('Tell me about the expenses policy')
    expect(await answers().count()).toBe(1)
    expect(await answers().first().textContent()).toContain('You asked: "Tell me about the expenses policy"')

    // The server agrees: the later question and its answer are gone.
    await reload(page)
    await questions().first().waitFor()
    expect(await questions().count()).toBe(1)
    expect(await answers().count()).toBe(1)
    await screenshot(page, 'chat-edited')
  })

  it('marks a stopped answer with what Stop answered, and regenerates it at once under the same id', async () => {
    await newChat()
    await sendMessage(page, 'Tell me about the leave policy [[emulator:slow]]')
    await page.waitForURL(/\/chat\/[0-9a-f-]{36}$/)
    const chatId = page.url().split('/').at(-1)!
    const answer = answers().last()
    await answer.getByTestId('message-text').waitFor()
    // Stop answers once the stopped answer is stored: nothing asks the chat whether it is done.
    const looks: string[] = []
    const onRequest = (request: Request) => {
      if (request.method() === 'GET' && new URL(request.url()).pathname === `/api/chats/${chatId}`) looks.push(request.url())
    }
    page.on('request', onRequest)
    const stopAnswer = page.waitForResponse(response => response.url().endsWith(`/api/chats/${chatId}/stop`))
    await page.getByTestId('stop').click()
    const stopped = await (await stopAnswer).json() as { stopped: boolean, message: { id: string, status: string, error: string } }
    await waitForAnswer(page)
    expect(stopped).toMatchObject({ stopped: true, message: { status: 'stopped', error: 'Stopped before the answer was complete.' } })
    expect(await answer.getAttribute('data-message-id')).toBe(stopped.message.id)
    expect(await answer.getAttribute('data-status')).toBe('stopped')
    expect(await answer.getByTestId('message-status').textContent()).toContain(stopped.message.error)

    // The chat is free as soon as Stop has answered, and the new answer keeps the old one's id
    // (it derives from the question's).
    await answer.getByTestId('regenerate').click()
    await page.getByTestId('stop').waitFor()
    await waitForAnswer(page)
    page.off('request', onRequest)
    expect(await page.getByTestId('chat-problem').count()).toBe(0)
    expect(await answers().count()).toBe(1)
    expect(await answers().last().getAttribute('data-message-id')).toBe(stopped.message.id)
    expect(await answers().last().getAttribute('data-status')).toBe('complete')
    expect(await answers().last().getByTestId('message-status').count()).toBe(0)
    expect(await answers().last().textContent()).toContain('That is all for now')
    expect(looks).toEqual([])
    await screenshot(page, 'chat-stopped-then-regenerated')
  })

  it('shows the sentence the server gives when the content filter cuts an answer, the same after a reload', async () => {
    await newChat()
    await sendMessage(page, 'Tell me a story [[emulator:content-filter-output]]')
    await waitForAnswer(page)
    const answer = answers().last()
    expect(await answer.getAttribute('data-status')).toBe('truncated')
    const live = await answer.getByTestId('message-status').textContent()
    expect(live).toContain('The rest of this answer was withheld by the company\'s content filter')
    await screenshot(page, 'chat-filtered-answer')

    await reload(page)
    await answers().last().waitFor()
    expect(await answers().last().getAttribute('data-status')).toBe('truncated')
    expect(await answers().last().getByTestId('message-status').textContent()).toBe(live)
  })

  it('keeps streaming an answer after a reload, from where it was, until it is complete', async () => {
    await newChat()
    await sendMessage(page, 'Write slowly please [[emulator:slow]]')
    await answers().last().getByTestId('message-text').waitFor()
    // Closing the connection does not stop the server: the answer goes on, and the reloaded page
    // resumes its stream (GET /api/chats/:id/stream) instead of waiting for the end.
    const resumed = page.waitForResponse(response => /\/api\/chats\/[0-9a-f-]+\/stream$/.test(response.url()))
    await reload(page)
    expect((await resumed).status()).toBe(200)
    await page.getByTestId('stop').waitFor()
    // The answer's length at every change of the page, until Stop goes away.
    const lengths = await page.evaluate(() => new Promise<number[]>((resolve) => {
      const seen: number[] = []
      const observer = new MutationObserver(() => {
        const all = document.querySelectorAll('[data-testid="message-assistant"]')
        seen.push(all[all.length - 1]?.querySelector('[data-testid="message-text"]')?.textContent?.length ?? 0)
        if (document.querySelector('[data-testid="stop"]')) return
        observer.disconnect()
        resolve(seen)
      })
      observer.observe(document.body, { subtree: true, childList: true, characterData: true })
    }))
    // Seen growing several times before it ended: streamed, not swapped in at the end.
    expect(new Set(lengths.filter(n => n > 0)).size).toBeGreaterThan(3)
    await waitForAnswer(page)
    expect(await answers().last().getAttribute('data-status')).toBe('complete')
    expect(await answers().last().textContent()).toContain('That is all for now')
    await screenshot(page, 'chat-followed-after-reload')
  })

  it('shows HTML from the model and from me as text and runs none of it', async () => {
    const dialogs: string[] = []
    const probes: string[] = []
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    page.on('request', (request) => {
      if (request.url().includes('/xss')) probes.push(request.url())
    })
    await newChat()
    await sendMessage(page, 'Show <b>markup</b> <img src=x onerror="alert(2)"> [[emulator:html]]')
    await waitForAnswer(page)
    const answer = answers().last()
    expect(await answer.textContent()).toContain('<img src=x onerror="fetch(\'/xss\')">')
    expect(await answer.textContent()).toContain('<script>alert(1)</script>')
    expect(await questions().last().textContent()).toContain('<b>markup</b> <img src=x onerror="alert(2)">')
    expect(await page.locator('[data-testid="messages"] img, [data-testid="messages"] script, [data-testid="messages"] b').count()).toBe(0)
    // Give any injected handler the chance to run: an image error fires within a frame or two.
    await page.evaluate(() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve))))
    expect(dialogs).toEqual([])
    expect(probes).toEqual([])
    await screenshot(page, 'chat-html-as-text')
  })

  it('renders markdown tables', async () => {
    await newChat()
    await sendMessage(page, 'Put the numbers in a table please')
    await waitForAnswer(page)
    const answer = answers().last()
    expect(await answer.locator('table th').first().textContent()).toBe('Property')
    expect(await answer.locator('table tr').count()).toBe(4)
    await screenshot(page, 'chat-table')
  })
})

describe('errors', () => {
  it('says when the content filter blocked a message and offers to edit it', async () => {
    await newChat()
    await sendMessage(page, 'Something hateful [[emulator:content-filter-prompt]]')
    const problem = page.getByTestId('chat-problem')
    await problem.waitFor()
    expect(await problem.getAttribute('data-kind')).toBe('content-filter')
    expect(await problem.textContent()).toContain('content filter')
    expect(await problem.getByTestId('retry').count()).toBe(0)
    await problem.getByTestId('edit-after-problem').click()
    await page.getByTestId('edit-input').waitFor()
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'error-content-filter')
  })

  it('shows the wait of a rate limit on the Retry button', async () => {
    await newChat()
    await sendMessage(page, 'Busy hour [[emulator:429]]')
    const problem = page.getByTestId('chat-problem')
    await problem.waitFor({ timeout: 30_000 })
    expect(await problem.getAttribute('data-kind')).toBe('rate-limit')
    expect(await problem.textContent()).toMatch(/try again in \d+ seconds/i)
    expect(await problem.getByTestId('retry').textContent()).toMatch(/Retry in \d+ s/)
    expect(await axeViolations(page)).toEqual([])
    await screenshot(page, 'error-rate-limit')
  })

  it('says when the model is unavailable and offers to retry', async () => {
    await newChat()
    await sendMessage(page, 'Model trouble [[emulator:500]]')
    const problem = page.getByTestId('chat-problem')
    await problem.waitFor({ timeout: 30_000 })
    expect(await problem.getAttribute('data-kind')).toBe('upstream')
    expect(await problem.getByTestId('retry').isEnabled()).toBe(true)
    await screenshot(page, 'error-model-unavailable')
  })

  it('says when the network is down, and Retry sends the message once it is back', async () => {
    await newChat()
    await page.context().setOffline(true)
    await sendMessage(page, 'Are you there?')
    const problem = page.getByTestId('chat-problem')
    await problem.waitFor()
    expect(await problem.getAttribute('data-kind')).toBe('network')
    expect(await problem.textContent()).toContain('Could not reach the assistant')
    await screenshot(page, 'error-network')
    await page.context().setOffline(false)
    await problem.getByTestId('retry').click()
    await page.waitForURL(/\/chat\/[0-9a-f-]{36}$/)
    await waitForAnswer(page)
    expect(await answers().last().textContent()).toContain('You asked: "Are you there?"')
    expect(await page.getByTestId('chat-problem').count()).toBe(0)
    await screenshot(page, 'error-network-retried')
  })
})

describe('accessibility', () => {
  it('has no serious or critical axe violations on the chat screen', async () => {
    await open(page, page.url())
    await answers().last().waitFor()
    expect(await axeViolations(page)).toEqual([])
    await newChat()
    expect(await axeViolations(page)).toEqual([])
    // Nothing was fetched from the internet (fonts, icons): only the app and the two emulators.
    expect(offHost).toEqual([])
    await screenshot(page, 'accessibility-new-chat')
  })
})
