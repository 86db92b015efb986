// After a full test run: every server's output (kept in .cache/test-logs by the test harness) must
// be free of the secrets the tests configured and of anything shaped like a token.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = new URL('../.cache/test-logs/', import.meta.url).pathname
const secrets = [
  'test-secret-that-is-long-enough-0123456789', // NUXT_AUTH_SECRET of the test servers
  'test-client-secret-for-the-emulator', // AZURE_AD_CLIENT_SECRET
  'test-openai-key', // AZURE_OPENAI_API_KEY
  'workload-secret', // AZURE_CLIENT_SECRET of the keyless test
  'hunter2-secret', // a password inside a DATABASE_URL
]
const patterns = [/eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]*/, /next-auth\.session-token=/]

const files = existsSync(dir) ? readdirSync(dir).filter(f => f.endsWith('.log')) : []
const leaks = []
for (const file of files) {
  const text = readFileSync(join(dir, file), 'utf8')
  for (const secret of secrets) if (text.includes(secret)) leaks.push(`${file}: contains a configured secret (${secret.slice(0, 4)}…)`)
  for (const pattern of patterns) if (pattern.test(text)) leaks.push(`${file}: contains something shaped like ${pattern}`)
}
if (!files.length) {
  console.error('scan-test-logs: no server logs found; did the tests run?')
  process.exit(1)
}
if (leaks.length) {
  console.error(`scan-test-logs: secrets in server logs:\n${leaks.join('\n')}`)
  process.exit(1)
}
console.log(`scan-test-logs: ${files.length} server logs, no secret or token found`)
