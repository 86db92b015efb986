import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { get } from 'node:https'
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose'
import type { JSONWebKeySet } from 'jose'
import { Issuer, generators } from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSelfSignedCertificate } from '../../emulators/entra/certificate.ts'
import { accounts, startEntraEmulator, tenants } from '../../emulators/entra/index.ts'
import type { EntraEmulator } from '../../emulators/entra/index.ts'
import { signIn } from '../../emulators/entra/testing.ts'

// The real client libraries the app uses, against the emulator, with no mocks.

const clientId = '6f4c1e2a-0000-4000-8000-00000000a552'
const clientSecret = 'emulator-secret'
const redirectUri = 'http://app.test/api/auth/callback/azure-ad'
const contoso = tenants.contoso.id

describe('openid-client 5 (what next-auth uses)', () => {
  let emulator: EntraEmulator
  beforeAll(async () => {
    emulator = await startEntraEmulator({ clients: [{ clientId, clientSecret, redirectUris: [redirectUri] }] })
  })
  afterAll(() => emulator?.close())

  it('discovers the tenant issuer, redeems a PKCE code and refreshes', async () => {
    const issuer = await Issuer.discover(`${emulator.authorityHost}/${contoso}/v2.0/.well-known/openid-configuration`)
    expect(issuer.metadata.issuer).toBe(`${emulator.authorityHost}/${contoso}/v2.0`)
    const client = new issuer.Client({ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], response_types: ['code'] })

    const codeVerifier = generators.codeVerifier()
    const state = generators.state()
    const nonce = generators.nonce()
    const url = client.authorizationUrl({
      scope: `openid profile email offline_access ${clientId}/access_as_user`,
      code_challenge: generators.codeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })
    const callback = await signIn(url, { account: accounts.adele.oid })

    const tokenSet = await client.callback(redirectUri, client.callbackParams(callback.href), { code_verifier: codeVerifier, state, nonce })
    expect(tokenSet.claims()).toMatchObject({ oid: accounts.adele.oid, tid: contoso, roles: ['Admin'], ver: '2.0' })
    expect(tokenSet.refresh_token).toEqual(expect.any(String))
    expect(decodeJwt(tokenSet.access_token!)).toMatchObject({ aud: clientId, scp: 'access_as_user' })

    const refreshed = await client.refresh(tokenSet.refresh_token!)
    expect(refreshed.refresh_token).not.toBe(tokenSet.refresh_token)
    expect(refreshed.claims().oid).toBe(accounts.adele.oid)
  })
})

const execFileAsync = promisify(execFile)

function getJson(url: string, ca: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => body += chunk.toString())
      response.on('end', () => resolve(JSON.parse(body)))
    }).on('error', reject)
  })
}

// Runs in a child process: NODE_EXTRA_CA_CERTS is read once at Node's start-up.
const identityScript = `
import { ClientSecretCredential } from '@azure/identity'
const { ENTRA_TENANT, ENTRA_CLIENT_ID, ENTRA_CLIENT_SECRET, ENTRA_AUTHORITY_HOST } = process.env
const credential = new ClientSecretCredential(ENTRA_TENANT, ENTRA_CLIENT_ID, ENTRA_CLIENT_SECRET, {
  authorityHost: ENTRA_AUTHORITY_HOST,
  disableInstanceDiscovery: true,
})
const token = await credential.getToken('https://cognitiveservices.azure.com/.default')
process.stdout.write(JSON.stringify(token))
`

describe('@azure/identity ClientSecretCredential over https', () => {
  let emulator: EntraEmulator
  let dir: string
  let caFile: string
  let ca: string
  beforeAll(async () => {
    const tls = await createSelfSignedCertificate(['localhost', '127.0.0.1'])
    ca = tls.cert
    dir = await mkdtemp(join(tmpdir(), 'entra-emulator-'))
    caFile = join(dir, 'ca.pem')
    await writeFile(caFile, tls.cert)
    emulator = await startEntraEmulator({ tls, clients: [{ clientId, clientSecret, redirectUris: [redirectUri] }] })
  })
  afterAll(async () => {
    await emulator?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('gets an Azure OpenAI token that verifies against the tenant JWKS', async () => {
    expect(emulator.authorityHost).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', identityScript], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: caFile,
        ENTRA_TENANT: contoso,
        ENTRA_CLIENT_ID: clientId,
        ENTRA_CLIENT_SECRET: clientSecret,
        ENTRA_AUTHORITY_HOST: emulator.authorityHost,
      },
    })
    const { token, expiresOnTimestamp } = JSON.parse(stdout) as { token: string, expiresOnTimestamp: number }
    expect(expiresOnTimestamp).toBeGreaterThan(Date.now())
    const claims = decodeJwt(token)
    expect(claims).toMatchObject({
      aud: 'https://cognitiveservices.azure.com',
      iss: `${emulator.authorityHost}/${contoso}/v2.0`,
      tid: contoso,
      appid: clientId,
      ver: '2.0',
    })
    // What the Azure OpenAI emulator does with it.
    const jwks = await getJson(`${emulator.authorityHost}/${contoso}/discovery/v2.0/keys`, ca)
    await jwtVerify(token, createLocalJWKSet(jwks as JSONWebKeySet), {
      issuer: `${emulator.authorityHost}/${contoso}/v2.0`,
      audience: 'https://cognitiveservices.azure.com',
      algorithms: ['RS256'],
    })
  })
})
