import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accounts, api, entraControl, refreshCount, signIn, startStack, type Stack } from '../support/stack'

// The refresh margin is min(60 s, lifetime / 2): a 20 s access token is refreshed when 10 s are
// left, so about once every 10 s however many requests come, never once per request.
let stack: Stack
beforeAll(async () => {
  stack = await startStack({ accessTokenTtlSeconds: 20 })
})
afterAll(async () => {
  await stack?.stop()
})

describe('the refresh margin', () => {
  it('refreshes a 20 s access token about once per 10 s, not once per request', async () => {
    const { client } = await signIn(stack.app, accounts.alex)
    await entraControl(stack.entra, 'stats/reset')
    const started = Date.now()
    let requests = 0
    while (Date.now() - started < 25_000) {
      expect((await api(client, `${stack.app.url}/api/me`)).status).toBe(200)
      requests += 1
      await new Promise(resolve => setTimeout(resolve, 250))
    }
    const refreshes = await refreshCount(stack.entra)
    console.info(`refresh margin: ${requests} requests in 25 s with a 20 s token -> ${refreshes} refreshes`)
    expect(requests).toBeGreaterThan(50)
    // Due at 10 s and 20 s after sign-in (each new token again 10 s later).
    expect(refreshes).toBeGreaterThanOrEqual(2)
    expect(refreshes).toBeLessThanOrEqual(3)
  }, 60_000)
})
