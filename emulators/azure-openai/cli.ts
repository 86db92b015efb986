import { startAzureOpenAIEmulator } from './index.ts'

// Dev/test only: the app refuses to start an emulator in production, this entry point just
// serves whatever the environment asks for.
const env = process.env
const list = (v: string | undefined) => v?.split(',').map(s => s.trim()).filter(Boolean)
const jwksUrl = env.AZURE_OPENAI_EMULATOR_ENTRA_JWKS_URL
const issuerPrefix = env.AZURE_OPENAI_EMULATOR_ENTRA_ISSUER_PREFIX

const emulator = await startAzureOpenAIEmulator({
  port: env.AZURE_OPENAI_EMULATOR_PORT ? Number(env.AZURE_OPENAI_EMULATOR_PORT) : undefined,
  host: env.AZURE_OPENAI_EMULATOR_HOST || undefined,
  // `o4-mini:reasoning` marks a reasoning deployment.
  deployments: list(env.AZURE_OPENAI_EMULATOR_DEPLOYMENTS)?.map((d) => {
    const [name, kind] = d.split(':')
    return { name: name!, reasoning: kind === 'reasoning' }
  }),
  apiKey: env.AZURE_OPENAI_EMULATOR_API_KEY || undefined,
  chunkDelayMs: env.AZURE_OPENAI_EMULATOR_CHUNK_DELAY_MS ? Number(env.AZURE_OPENAI_EMULATOR_CHUNK_DELAY_MS) : undefined,
  entra: jwksUrl && issuerPrefix ? { jwksUrl, issuerPrefix } : undefined,
})

console.log(emulator.url)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    emulator.close().finally(() => process.exit(0))
  })
}
