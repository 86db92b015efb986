import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import packageJson from '../../package.json' with { type: 'json' }
import { tenants } from '../../emulators/entra/index.ts'

const root = join(import.meta.dirname, '../..')

describe('npm run emulators', () => {
  it('starts both emulators on their own, each answering, and stops them on SIGTERM', async () => {
    const [command, ...args] = packageJson.scripts.emulators.split(' ')
    expect(command).toBe('node')
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ENTRA_EMULATOR_PORT: '0', AZURE_OPENAI_EMULATOR_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    const exited = once(child, 'exit')
    await expect.poll(() => child.exitCode ?? stdout.trim().split('\n').length, { timeout: 20_000 }).toBe(2)
    const [entra, openai] = stdout.trim().split('\n') as [string, string]
    expect(stderr).toContain('Entra ID emulator (dev/test only)')
    const discovery = await fetch(`${entra}/${tenants.contoso.id}/v2.0/.well-known/openid-configuration`)
    expect(discovery.status).toBe(200)
    // No key: Azure's own 401, which shows the emulator speaks its wire format.
    const unauthorized = await fetch(`${openai}/openai/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(unauthorized.status).toBe(401)
    child.kill('SIGTERM')
    const [code] = await exited
    expect(code).toBe(0)
  })
})
