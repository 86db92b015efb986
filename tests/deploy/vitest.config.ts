import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

// The deployment checks alone: `npx vitest run --config tests/deploy/vitest.config.ts`. The same
// settings belong in the root config's `deploy` project; this file can go once that exists.
export default defineConfig({
  test: {
    root: join(import.meta.dirname, '../..'),
    name: 'deploy',
    include: ['tests/deploy/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
})
