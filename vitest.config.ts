import { defineConfig } from 'vitest/config'

// Kinds of tests, each its own project so they can be run alone:
// unit (pure functions), emulators (the dev/test stand-ins over HTTP),
// server (the built Nitro server over HTTP), e2e (real Chromium) and dev (`npm run dev`).
// CI asks for a machine-readable report beside the usual console output.
const reportFile = process.env.TEST_REPORT_FILE

export default defineConfig({
  test: {
    reporters: reportFile ? ['default', 'json'] : ['default'],
    outputFile: reportFile ? { json: reportFile } : undefined,
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node', testTimeout: 30_000 } },
      { test: { name: 'deploy', include: ['tests/deploy/**/*.test.ts'], environment: 'node', globalSetup: ['tests/support/global-setup.ts'], testTimeout: 120_000, hookTimeout: 300_000 } },
      { test: { name: 'emulators', include: ['tests/emulators/**/*.test.ts'], environment: 'node', testTimeout: 30_000 } },
      {
        test: {
          name: 'server',
          include: ['tests/server/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/support/browser-setup.ts', 'tests/support/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        // `npm run dev` itself, on a copy of the project with a fresh .nuxt and Vite cache.
        test: {
          name: 'dev',
          include: ['tests/dev/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/support/browser-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
