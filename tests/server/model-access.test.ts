import { randomUUID } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSelfSignedCertificate } from '../../emulators/entra/certificate.ts'
import { createSigningKey, startEntraEmulator, type EntraEmulator } from '../../emulators/entra/index.ts'
import { sendChat, userMessage } from '../support/chat-client'
import { accounts, signIn, startStack, tenants, type Stack } from '../support/stack'

interface Recorded { lastUserText: string, api: string, path: string, auth: string }

async function recorded(stack: Stack, text: string): Promise<Recorded | undefined> {
  const all = await fetch(`${stack.openai.url}/_emulator/requests`).then(r => r.json()) as Recorded[]
  return all.find(r => r.lastUserText === text)
}

async function chatOnce(stack: Stack, app = stack.app) {
  const { client } = await signIn(app, accounts.megan)
  const text = `Model access check ${randomUUID()}`
  const result = await sendChat(client, app.url, randomUUID(), { message: userMessage(text) })
  return { result, call: await recorded(stack, text) }
}

describe('reaching Azure OpenAI', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ servers: 3 })
  })
  afterAll(async () => {
    await stack?.stop()
  })

  it('streams from the Responses API with an API key', async () => {
    const { result, call } = await chatOnce(stack)
    expect(result.status).toBe(200)
    expect(call).toMatchObject({ api: 'responses', path: '/openai/v1/responses', auth: 'api-key' })
  })

  it('streams from Chat Completions for older deployments', async () => {
    const app = await stack.startApp({ AZURE_OPENAI_API: 'chat' })
    const { result, call } = await chatOnce(stack, app)
    await app.stop()
    expect(result.text).toContain('You asked')
    expect(call).toMatchObject({ api: 'chat.completions', path: '/openai/v1/chat/completions' })
  })

  it('uses deployment-based URLs when an API version is set', async () => {
    const app = await stack.startApp({ AZURE_OPENAI_API: 'chat', AZURE_OPENAI_API_VERSION: '2024-10-21' })
    const { result, call } = await chatOnce(stack, app)
    await app.stop()
    expect(result.text).toContain('You asked')
    expect(call).toMatchObject({ path: '/openai/deployments/gpt-4o-mini/chat/completions' })
  })
})

describe('keyless access with an Entra client secret', () => {
  let stack: Stack
  let identity: EntraEmulator
  const workloadClientId = 'b0b0b0b0-0000-4000-8000-00000000b0b0'

  beforeAll(async () => {
    // @azure/identity (MSAL) accepts https authorities only: a second emulator serves https with a
    // generated certificate, signing with the same key as the first, whose JWKS the Azure OpenAI
    // emulator checks bearer tokens against.
    const key = await createSigningKey()
    const tls = await createSelfSignedCertificate(['127.0.0.1', 'localhost'])
    const certFile = join(mkdtempSync(join(tmpdir(), 'entra-ca-')), 'ca.pem')
    writeFileSync(certFile, tls.cert)
    identity = await startEntraEmulator({ tls, signingKey: key, clients: [{ clientId: workloadClientId, clientSecret: 'workload-secret', redirectUris: ['https://unused.invalid/cb'] }] })
    stack = await startStack({
      signingKey: key,
      openai: entra => ({ apiKey: 'no-key-accepted-here', entra: { jwksUrl: `${entra.authorityHost}/${tenants.contoso.id}/discovery/v2.0/keys`, issuerPrefix: identity.authorityHost } }),
      env: {
        AZURE_OPENAI_API_KEY: '',
        AZURE_TENANT_ID: tenants.contoso.id,
        AZURE_CLIENT_ID: workloadClientId,
        AZURE_CLIENT_SECRET: 'workload-secret',
        AZURE_AUTHORITY_HOST: identity.authorityHost,
        NODE_EXTRA_CA_CERTS: certFile,
      },
    })
  })
  afterAll(async () => {
    await stack?.stop()
    await identity?.close()
  })

  it('gets a bearer token from Entra with ClientSecretCredential and streams the answer', async () => {
    const { result, call } = await chatOnce(stack)
    expect(result.status).toBe(200)
    expect(result.text).toContain('You asked')
    expect(call).toMatchObject({ auth: 'bearer' })
    expect(stack.app.output()).toContain(`with Entra client secret of app ${workloadClientId}`)
    expect(stack.app.output()).not.toContain('workload-secret')
  })
})
