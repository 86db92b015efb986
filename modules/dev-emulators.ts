import { defineNuxtModule, useLogger } from '@nuxt/kit'

// Fixed identities of the local stand-ins; they only ever exist on a developer's machine.
const DEV_CLIENT_ID = '5e1f0000-0000-4000-8000-00000000de70'
const DEV_CLIENT_SECRET = 'local-entra-emulator-secret'
const DEV_OPENAI_KEY = 'emulator-key'

interface Running { entra?: { authorityHost: string }, openai?: { url: string } }

// Nuxt re-runs modules when it restarts in place (config edits); the emulators, and the decision
// to use them, must survive that, so they live on the process, not on one Nuxt instance.
const running = globalThis as typeof globalThis & { __devEmulators?: Promise<Running> }

/**
 * The deployments of an AZURE_OPENAI_DEPLOYMENTS list, so that the emulator serves each of them (a
 * reasoning one as such); the server names the list's problems itself at start-up.
 */
function listedDeployments(list: string | undefined) {
  try {
    const items = JSON.parse(list || '[]') as Array<{ deployment?: unknown, reasoning?: unknown }>
    const named = items.filter(i => typeof i?.deployment === 'string').map(i => ({ name: i.deployment as string, reasoning: !!i.reasoning }))
    return named.length ? named : undefined
  }
  catch {
    return undefined
  }
}

async function startEmulators(port: number): Promise<Running> {
  const env = process.env
  const result: Running = {}
  const logger = useLogger('emulators')
  // next-auth needs to know its public origin to build the redirect URI.
  env.AUTH_ORIGIN ??= `http://localhost:${port}`

  if (!env.AZURE_AD_CLIENT_ID) {
    const { startEntraEmulator, tenants } = await import('../emulators/entra/index.ts')
    // The usual dev ports, the one this server got (`npm run dev -- --port 4000`) and AUTH_ORIGIN.
    const ports = new Set([port, ...Array.from({ length: 10 }, (_, i) => 3000 + i)])
    const origins = [...new Set([...[...ports].flatMap(p => [`http://localhost:${p}`, `http://127.0.0.1:${p}`]), env.AUTH_ORIGIN.replace(/\/+$/, '')])]
    const entra = await startEntraEmulator({
      port: Number(env.ENTRA_EMULATOR_PORT ?? 3101),
      clients: [{
        clientId: DEV_CLIENT_ID,
        clientSecret: DEV_CLIENT_SECRET,
        redirectUris: origins.map(o => `${o}/api/auth/callback/azure-ad`),
        postLogoutRedirectUris: origins.map(o => `${o}/signed-out`),
      }],
    })
    Object.assign(env, {
      AZURE_AD_CLIENT_ID: DEV_CLIENT_ID,
      AZURE_AD_CLIENT_SECRET: DEV_CLIENT_SECRET,
      AZURE_AD_TENANT_ID: tenants.contoso.id,
      AZURE_AD_AUTHORITY_HOST: entra.authorityHost,
    })
    result.entra = entra
    logger.info(`Entra ID emulator at ${entra.authorityHost} (set AZURE_AD_CLIENT_ID to use real Entra ID)`)
  }

  if (!env.AZURE_OPENAI_ENDPOINT && !env.AZURE_OPENAI_RESOURCE_NAME) {
    const { startAzureOpenAIEmulator } = await import('../emulators/azure-openai/index.ts')
    const openai = await startAzureOpenAIEmulator({ port: Number(env.AZURE_OPENAI_EMULATOR_PORT ?? 3102), apiKey: DEV_OPENAI_KEY, deployments: listedDeployments(env.AZURE_OPENAI_DEPLOYMENTS) })
    Object.assign(env, {
      AZURE_OPENAI_ENDPOINT: openai.url,
      AZURE_OPENAI_API_KEY: DEV_OPENAI_KEY,
      ...(env.AZURE_OPENAI_DEPLOYMENTS ? {} : { AZURE_OPENAI_DEPLOYMENT: env.AZURE_OPENAI_DEPLOYMENT ?? 'gpt-4o-mini' }),
    })
    result.openai = openai
    logger.info(`Azure OpenAI emulator at ${openai.url} (set AZURE_OPENAI_ENDPOINT to use Azure)`)
  }
  return result
}

/**
 * `nuxi dev` with nothing configured starts the local Entra ID and Azure OpenAI emulators and
 * points the app at them through the same settings operators use. Never part of a build.
 */
export default defineNuxtModule({
  meta: { name: 'dev-emulators' },
  async setup(_, nuxt) {
    if (!nuxt.options.dev || process.env.VITEST) return
    running.__devEmulators ??= startEmulators(Number(nuxt.options.devServer.port) || 3000)
    await running.__devEmulators
  },
})
