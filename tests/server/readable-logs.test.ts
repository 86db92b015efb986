import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../support/stack'

let stack: Stack

beforeAll(async () => {
  // What `npm run dev` prints: consola's readable lines, not production's JSON.
  stack = await startStack({ env: { LOG_FORMAT: 'pretty' } })
})
afterAll(async () => {
  await stack?.stop()
})

describe('readable logs (dev, LOG_FORMAT=pretty)', () => {
  it('give one line per request, with its id and duration', async () => {
    const response = await fetch(`${stack.app.url}/api/me`)
    expect(response.status).toBe(401)
    const requestId = response.headers.get('x-request-id')!
    await expect.poll(() => stack.app.output()).toContain(requestId)
    const lines = stack.app.output().split('\n').filter(line => line.includes(requestId) || /^\s*[{}]|^\s+\w+: /.test(line))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`GET /api/me 401 requestId=${requestId} durationMs=\\d+$`))
  })
})
