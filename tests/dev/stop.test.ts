import { describe, expect, it } from 'vitest'
import { startDevServer } from '../support/dev-server'

const reachable = (url: string) => fetch(url, { signal: AbortSignal.timeout(2_000) }).then(() => true, () => false)

describe('npm run dev', () => {
  it('stops the emulators it started when npm is stopped', async () => {
    const dev = await startDevServer({ viaNpm: true })
    try {
      expect(await reachable(dev.entraUrl)).toBe(true)
      expect(await reachable(dev.openaiUrl)).toBe(true)
      // npm alone, as an editor's stop button, a task runner or `kill` stop it.
      process.kill(dev.process.pid!, 'SIGTERM')
      await expect.poll(() => reachable(dev.entraUrl), { timeout: 15_000 }).toBe(false)
      await expect.poll(() => reachable(dev.openaiUrl), { timeout: 15_000 }).toBe(false)
      await expect.poll(() => reachable(dev.url), { timeout: 15_000 }).toBe(false)
    }
    finally {
      await dev.stop()
    }
  })
})
