// Runs the Entra ID emulator on its own: `node emulators/entra/cli.ts`.
// Prints the authority host on stdout (the value for AZURE_AD_AUTHORITY_HOST), details on stderr.
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSelfSignedCertificate } from './certificate.ts'
import { defaultClient } from './defaults.ts'
import { accounts, startEntraEmulator, tenants } from './index.ts'

const env = process.env
const clientId = env.ENTRA_EMULATOR_CLIENT_ID || env.AZURE_AD_CLIENT_ID || defaultClient.clientId
const clientSecret = env.ENTRA_EMULATOR_CLIENT_SECRET || env.AZURE_AD_CLIENT_SECRET || defaultClient.clientSecret
const redirectUris = (env.ENTRA_EMULATOR_REDIRECT_URIS || defaultClient.redirectUris.join(' ')).split(/[\s,]+/).filter(Boolean)
const postLogoutRedirectUris = (env.ENTRA_EMULATOR_POST_LOGOUT_REDIRECT_URIS || defaultClient.postLogoutRedirectUris.join(' ')).split(/[\s,]+/).filter(Boolean)
const host = env.ENTRA_EMULATOR_HOST || '127.0.0.1'

let tls: { key: string, cert: string } | undefined
let caFile: string | undefined
if (env.ENTRA_EMULATOR_TLS === '1' || env.ENTRA_EMULATOR_TLS === 'true') {
  tls = await createSelfSignedCertificate(['localhost', host])
  caFile = join(tmpdir(), `entra-emulator-ca-${process.pid}.pem`)
  await writeFile(caFile, tls.cert)
}

const emulator = await startEntraEmulator({
  port: Number(env.ENTRA_EMULATOR_PORT || 0),
  host,
  tls,
  clients: [{ clientId, clientSecret, redirectUris, postLogoutRedirectUris }],
})

process.stdout.write(`${emulator.authorityHost}\n`)
const log = (line: string) => process.stderr.write(`${line}\n`)
log(`Entra ID emulator (dev/test only) at ${emulator.authorityHost}`)
log(`  client id ${clientId}, redirect URIs ${redirectUris.join(', ')}`)
for (const tenant of Object.values(tenants)) {
  log(`  tenant ${tenant.name} ${tenant.id}: ${emulator.authorityHost}/${tenant.id}/v2.0/.well-known/openid-configuration`)
}
log(`  accounts: ${Object.values(accounts).map(account => `${account.email}${account.roles.length ? ` [${account.roles.join(', ')}]` : ''}`).join(', ')}`)
if (caFile) log(`  https certificate: ${caFile} (trust it with NODE_EXTRA_CA_CERTS)`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => process.exit(0))
  })
}
