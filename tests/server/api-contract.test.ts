import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { baseTestEnv, runUntilExit } from '../support/app-server'
import { userMessage } from '../support/chat-client'
import { HttpClient } from '../support/http-client'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

let stack: Stack
let signedIn: HttpClient

beforeAll(async () => {
  stack = await startStack()
  signedIn = (await signIn(stack.app, accounts.megan)).client
})
afterAll(async () => {
  await stack?.stop()
})

describe('the API answers by the book', () => {
  it.each([
    ['POST', (): string => `/api/chats/${randomUUID()}/messages`, { message: userMessage('Hello'), trigger: 'submit-message' }],
    ['PATCH', (): string => `/api/chats/${randomUUID()}`, { title: 'Renamed' }],
    ['DELETE', (): string => `/api/chats/${randomUUID()}`, undefined],
    ['POST', (): string => '/api/admin/retention/run', undefined],
  ] as const)('answers a %s without any credential with 401, not a cross-site refusal', async (method, path, json) => {
    const response = await api(new HttpClient(), `${stack.app.url}${path()}`, { method, json })
    expect(response.status).toBe(401)
    expect(response.json.message).toBe('Please sign in to continue.')
  })

  it.each([
    ['plain text', 'text/plain', 'Hello'],
    ['a form', 'application/x-www-form-urlencoded', 'title=Renamed'],
    ['no content type', undefined, '{"title":"Renamed"}'],
  ])('answers a body sent as %s with 415 naming application/json', async (_, type, body) => {
    const chatId = randomUUID()
    for (const [method, path] of [['POST', `/api/chats/${chatId}/messages`], ['PATCH', `/api/chats/${chatId}`]]) {
      const headers: Record<string, string> = { origin: stack.app.url, ...(type ? { 'content-type': type } : {}) }
      const response = await api(signedIn, `${stack.app.url}${path}`, { method, headers, body: new TextEncoder().encode(body) })
      expect(response.status, `${method} ${path}`).toBe(415)
      expect(response.json.message).toBe('Send the request body as JSON, with Content-Type: application/json.')
    }
  })

  it('still reads JSON with a charset', async () => {
    const response = await api(signedIn, `${stack.app.url}/api/chats/${randomUUID()}`, { method: 'PATCH', headers: { 'origin': stack.app.url, 'content-type': 'application/json; charset=utf-8' }, body: '{"title":""}' })
    expect(response.status).toBe(400)
  })

  it.each([
    ['GET', '/api/nothing-here', false],
    ['GET', '/api/chats/some/thing/else', true],
    ['POST', '/api/admin/nothing', true],
  ] as const)('answers %s %s with a JSON 404, never a redirect to sign-in', async (method, path, withSession) => {
    const response = await api(withSession ? signedIn : new HttpClient(), `${stack.app.url}${path}`, { method, headers: { origin: stack.app.url } })
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.headers.get('location')).toBeNull()
    expect(response.json.message).toBe(`There is no API route ${method} ${path}.`)
  })
})

describe('a server that cannot listen', () => {
  it('exits non-zero at once when its port is taken', async () => {
    const taken = createServer()
    await new Promise<void>(resolve => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as { port: number }).port
    try {
      const started = Date.now()
      const { code, output } = await runUntilExit({
        ...stack.env,
        ...baseTestEnv,
        AUTH_ORIGIN: `http://127.0.0.1:${port}`,
        PGLITE_DATA_DIR: mkdtempSync(join(tmpdir(), 'assistant-pglite-')),
        DATABASE_URL: undefined,
        PORT: String(port),
      })
      expect(code).toBe(1)
      expect(output).toContain('EADDRINUSE')
      expect(Date.now() - started).toBeLessThan(15_000)
    }
    finally {
      taken.close()
    }
  })
})
