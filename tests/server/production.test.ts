import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runUntilExit } from '../support/app-server'
import { sendChat, userMessage, deltas } from '../support/chat-client'
import { createTestDatabase } from '../support/database'
import { HttpClient } from '../support/http-client'
import { accounts, api, CLIENT_SECRET, OPENAI_KEY, signIn, startStack, type Stack } from '../support/stack'

const production = {
  APP_ENV: 'production',
  NUXT_AUTH_SECRET: 'p'.repeat(48),
  AUTH_ORIGIN: 'https://assistant.contoso.com',
  AZURE_AD_CLIENT_ID: '0a1b2c3d-0000-4000-8000-00000000a11c',
  AZURE_AD_CLIENT_SECRET: 'secret',
  AZURE_AD_TENANT_ID: 'a1b2c3d4-0000-4000-8000-00000000c0de',
  AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com',
  AZURE_OPENAI_DEPLOYMENT: 'gpt-4o',
  PGLITE_DATA_DIR: '/tmp/never-used-by-a-refused-start',
}

describe('safe boot in production', () => {
  it.each([
    ['no auth secret', { NUXT_AUTH_SECRET: undefined }, ['NUXT_AUTH_SECRET is required']],
    ['a short auth secret', { NUXT_AUTH_SECRET: 'too-short' }, ['NUXT_AUTH_SECRET must be at least 32 characters']],
    ['no public origin', { AUTH_ORIGIN: undefined }, ['AUTH_ORIGIN is required']],
    ['the Entra emulator', { AZURE_AD_AUTHORITY_HOST: 'http://127.0.0.1:3101' }, ['AZURE_AD_AUTHORITY_HOST must be an https:// Entra authority, not a local emulator']],
    ['the Azure OpenAI emulator', { AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:3102' }, ['AZURE_OPENAI_ENDPOINT must not be a local emulator in production']],
    ['no Azure OpenAI settings', { AZURE_OPENAI_ENDPOINT: undefined, AZURE_OPENAI_DEPLOYMENT: undefined }, ['AZURE_OPENAI_ENDPOINT or AZURE_OPENAI_RESOURCE_NAME is required', 'AZURE_OPENAI_DEPLOYMENT is required']],
    ['several problems at once', { NUXT_AUTH_SECRET: undefined, AUTH_ORIGIN: undefined, AZURE_AD_CLIENT_SECRET: undefined }, ['NUXT_AUTH_SECRET is required', 'AUTH_ORIGIN is required', 'AZURE_AD_CLIENT_SECRET is required']],
  ])('refuses to start with %s, naming every problem', async (_, override, messages) => {
    const { code, output } = await runUntilExit({ ...production, ...override })
    expect(code).toBe(1)
    for (const message of messages) expect(output).toContain(message)
    expect(output).not.toContain('Listening on')
    expect(output).not.toMatch(/\n\s+at /)
  })

  it('names every problem also when a value fails to parse, as JSON log lines like every other', async () => {
    const { code, output } = await runUntilExit({ ...production, CHAT_MAX_OUTPUT_TOKENS: 'banana', NUXT_AUTH_SECRET: undefined, AUTH_ORIGIN: 'http://assistant.contoso.com', AZURE_AD_CLIENT_SECRET: undefined, AZURE_OPENAI_DEPLOYMENT: undefined, AZURE_AD_AUTHORITY_HOST: 'http://127.0.0.1:3101' })
    expect(code).toBe(1)
    const lines = output.trim().split('\n').map(line => JSON.parse(line) as { level: string, msg: string })
    const refusal = lines.find(line => line.level === 'error')!
    for (const problem of ['CHAT_MAX_OUTPUT_TOKENS: ', 'NUXT_AUTH_SECRET is required', 'AUTH_ORIGIN must be an https:// origin in production', 'AZURE_AD_CLIENT_SECRET is required', 'AZURE_OPENAI_DEPLOYMENT is required', 'AZURE_AD_AUTHORITY_HOST must be an https:// Entra authority, not a local emulator']) {
      expect(refusal.msg).toContain(problem)
    }
  })
})

describe('the production server', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ servers: 4, env: { SHUTDOWN_GRACE_SECONDS: '2' } })
  })
  afterAll(async () => {
    await stack?.stop()
  })

  it('sends security headers on pages and API responses', async () => {
    const page = await fetch(`${stack.app.url}/signed-out`)
    const csp = page.headers.get('content-security-policy')!
    expect(csp).toContain('frame-ancestors \'none\'')
    expect(csp).toContain('default-src \'self\'')
    expect(csp).toMatch(/script-src [^;]*'nonce-/)
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(page.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin')
    expect(page.headers.get('strict-transport-security')).toContain('max-age=31536000')
    const apiResponse = await fetch(`${stack.app.url}/api/health`)
    expect(apiResponse.headers.get('x-content-type-options')).toBe('nosniff')
    expect(apiResponse.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    // A nonce of its own for every page.
    const again = (await fetch(`${stack.app.url}/signed-out`)).headers.get('content-security-policy')!
    expect(again.match(/'nonce-([^']+)'/)![1]).not.toBe(csp.match(/'nonce-([^']+)'/)![1])
  })

  it('applies the same security rules to every API request, not only the first (server/plugins/04.api-security-rules.ts)', async () => {
    const securityHeaders = (response: Response) => [...response.headers].filter(([name]) => !['date', 'x-request-id', 'content-length', 'etag', 'connection', 'keep-alive'].includes(name))
    const first = await fetch(`${stack.app.url}/api/health`)
    const later = await Promise.all(Array.from({ length: 5 }, () => fetch(`${stack.app.url}/api/health`)))
    for (const response of later) expect(securityHeaders(response)).toEqual(securityHeaders(first))
    // nuxt-security's request size limit (1 MB) still holds once the rules come from the cache.
    for (let i = 0; i < 3; i++) {
      const tooBig = await fetch(`${stack.app.url}/api/chats/${randomUUID()}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'origin': stack.app.url }, body: 'x'.repeat(1_100_000) })
      expect(tooBig.status).toBe(413)
    }
  })

  it('serves the icons from the build, not from the internet', async () => {
    const icons = await fetch(`${stack.app.url}/api/_nuxt_icon/lucide.json?icons=menu`)
    expect(icons.status).toBe(200)
    expect((await icons.json()).icons.menu.body).toContain('<path')
  })

  it('refuses a cross-site POST that carries the session cookie', async () => {
    const { client } = await signIn(stack.app, accounts.megan)
    const chatId = randomUUID()
    await sendChat(client, stack.app.url, chatId, { message: userMessage('Keep me') })
    const forged = await api(client, `${stack.app.url}/api/chats/${chatId}`, { method: 'DELETE', headers: { origin: 'https://evil.example' } })
    expect(forged.status).toBe(403)
    expect(forged.json.message).toBe('Cross-site request refused.')
    const noOrigin = await api(client, `${stack.app.url}/api/chats/${chatId}`, { method: 'DELETE' })
    expect(noOrigin.status).toBe(403)
    expect((await api(client, `${stack.app.url}/api/chats/${chatId}`)).status).toBe(200)
  })

  it('drains on SIGTERM: readiness 503, no new chats, the open answer finishes and is stored, exit 0', async () => {
    const app = await stack.startApp({ SHUTDOWN_GRACE_SECONDS: '20' })
    const { client } = await signIn(app, accounts.alex)
    const chatId = randomUUID()
    let readyDuringDrain = 0
    let newChatDuringDrain = 0
    const result = await sendChat(client, app.url, chatId, { message: userMessage('Answer slowly [[emulator:delay=40]]') }, async (_, events) => {
      if (deltas(events) !== 2) return
      app.process.kill('SIGTERM')
      await expect.poll(async () => (readyDuringDrain = (await fetch(`${app.url}/api/ready`)).status)).toBe(503)
      newChatDuringDrain = (await sendChat(client, app.url, randomUUID(), { message: userMessage('Too late') })).status
    })
    expect(readyDuringDrain).toBe(503)
    expect(newChatDuringDrain).toBe(503)
    expect(result.events.at(-1)).toMatchObject({ type: 'finish', messageMetadata: { status: 'complete' } })
    expect(await app.exited).toBe(0)
    const again = await stack.startApp({}, { sameDatabaseAs: app })
    const { client: back } = await signIn(again, accounts.alex)
    const page = await api(back, `${again.url}/api/chats/${chatId}/messages`)
    expect(page.json.messages[1]).toMatchObject({ status: 'complete' })
    await again.stop()
  })

  it('stores an answer longer than the grace period as interrupted and still exits 0', async () => {
    const app = await stack.startApp({ SHUTDOWN_GRACE_SECONDS: '1' })
    const { client } = await signIn(app, accounts.lynne)
    const chatId = randomUUID()
    await sendChat(client, app.url, chatId, { message: userMessage('Take your time [[emulator:slow]]') }, (_, events) => {
      if (deltas(events) === 2) app.process.kill('SIGTERM')
    })
    expect(await app.exited).toBe(0)
    expect(app.output()).toContain('Cut 1 answer(s) at the end of the grace period')
  })

  it('never writes a secret, token, email or message text to its logs', async () => {
    const { client } = await signIn(stack.app, accounts.adele)
    const text = `Confidential quarterly numbers ${randomUUID()}`
    await sendChat(client, stack.app.url, randomUUID(), { message: userMessage(text) })
    await sendChat(client, stack.app.url, randomUUID(), { message: userMessage(`${text} [[emulator:401]]`) })
    await api(client, `${stack.app.url}/api/session/sign-out`, { method: 'POST', headers: { origin: stack.app.url } })
    const logs = stack.app.output()
    expect(logs).toMatch(/"requestId":"[0-9a-f-]{36}".*"route":"\/api\/chats\/[0-9a-f-]{36}\/messages".*"status":200/)
    expect(logs).toMatch(/"msg":"Answer complete".*"azureRequestId":"[0-9a-f-]{36}"/)
    for (const secret of [stack.env.NUXT_AUTH_SECRET ?? 'test-secret-that-is-long-enough-0123456789', CLIENT_SECRET, OPENAI_KEY, text, 'adele.vance@contoso.com', 'Adele Vance']) {
      expect(logs).not.toContain(secret)
    }
    expect(logs).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}\./) // no JWT (access, ID or session token)
    expect(logs).not.toMatch(/next-auth\.session-token=/)
  })
})

describe('two server processes behind no sticky routing', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ db: await createTestDatabase({ kind: 'postgres' }), servers: 2 })
  })
  afterAll(async () => {
    await stack?.stop()
    await stack?.db.drop()
  })

  it('serve one signed-in user correctly, whichever answers', async () => {
    const second = await stack.startApp()
    const { client } = await signIn(stack.app, accounts.megan)
    client.setCookie(second.url, 'next-auth.session-token', client.cookies(stack.app.url).get('next-auth.session-token')!)
    const servers = [stack.app, second]
    const chatId = randomUUID()
    for (let turn = 0; turn < 4; turn++) {
      const server = servers[turn % 2]!
      const result = await sendChat(client, server.url, chatId, { message: userMessage(`Turn ${turn}`) })
      expect(result.status).toBe(200)
    }
    const page = await api(client, `${second.url}/api/chats/${chatId}/messages`)
    expect(page.json.messages).toHaveLength(8)
    expect((await api(client, `${stack.app.url}/api/chats`)).json.chats[0].id).toBe(chatId)
    const renamed = await api(client, `${second.url}/api/chats/${chatId}`, { method: 'PATCH', json: { title: 'Across replicas' }, headers: { origin: second.url } })
    expect(renamed.status).toBe(200)
    expect((await api(client, `${stack.app.url}/api/chats/${chatId}`)).json.title).toBe('Across replicas')
  })
})

describe('cookies behind TLS', () => {
  it('are Secure and prefixed when the public origin is https', async () => {
    const stack = await startStack({ env: { AUTH_ORIGIN: 'https://assistant.contoso.test' } })
    try {
      const response = await new HttpClient().fetch(`${stack.app.url}/api/session/sign-in?callbackUrl=/`)
      expect(response.status).toBe(302)
      expect(new URL(response.headers.get('location')!).searchParams.get('redirect_uri')).toBe('https://assistant.contoso.test/api/auth/callback/azure-ad')
      const cookies = response.headers.getSetCookie()
      expect(cookies.length).toBeGreaterThan(0)
      for (const cookie of cookies) {
        expect(cookie).toMatch(/; Secure/i)
        expect(cookie).toMatch(/; HttpOnly/i)
        expect(cookie).toMatch(/^__(Secure|Host)-/)
      }
    }
    finally {
      await stack.stop()
    }
  })
})
