import { createAzure } from '@ai-sdk/azure'
import type { TokenCredential } from '@azure/identity'
import type { LanguageModel } from 'ai'

// Loaded only for keyless access: @azure/identity holds ~8 MB of heap a key-based server never uses.
type IdentityLibrary = typeof import('@azure/identity')

const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default'
const logger = taggedLogger('azure-openai')

/**
 * Keyless by default. An explicit client secret is used alone: were it wrong, a chain would
 * silently fall through to another identity and hide the mistake.
 */
function buildCredential(lib: IdentityLibrary, identity: ServerConfig['azureOpenai']['identity']): { credential: TokenCredential, description: string } {
  const { ChainedTokenCredential, ClientSecretCredential, ManagedIdentityCredential, WorkloadIdentityCredential } = lib
  const { tenantId, clientId, clientSecret, authorityHost } = identity
  if (tenantId && clientId && clientSecret) {
    return {
      credential: new ClientSecretCredential(tenantId, clientId, clientSecret, {
        authorityHost,
        // A sovereign cloud or the local emulator is not in Microsoft's instance-discovery list.
        disableInstanceDiscovery: !!authorityHost && !authorityHost.includes('login.microsoftonline.com'),
      }),
      description: `Entra client secret of app ${clientId}`,
    }
  }
  const workload = process.env.AZURE_FEDERATED_TOKEN_FILE
  if (workload) {
    return { credential: new WorkloadIdentityCredential({ clientId, tenantId, authorityHost }), description: 'Kubernetes workload identity' }
  }
  return {
    credential: new ChainedTokenCredential(new ManagedIdentityCredential(clientId ? { clientId } : {})),
    description: clientId ? `managed identity ${clientId}` : 'system-assigned managed identity',
  }
}

let model: LanguageModel | undefined

/** The Azure OpenAI deployment as an AI SDK model, authenticated by key or Entra token. */
export function getLanguageModel(): LanguageModel {
  if (model) return model
  const { azureOpenai } = useServerConfig()
  const target = {
    ...(azureOpenai.baseURL ? { baseURL: azureOpenai.baseURL } : { resourceName: azureOpenai.resourceName }),
    ...(azureOpenai.apiVersion ? { apiVersion: azureOpenai.apiVersion, useDeploymentBasedUrls: true } : {}),
  }
  let auth: { apiKey: string } | { tokenProvider: () => Promise<string> }
  if (azureOpenai.apiKey) {
    auth = { apiKey: azureOpenai.apiKey }
    logger.info(`Using deployment ${azureOpenai.deployment} (${azureOpenai.api} API) with an API key`)
  }
  else {
    let provider: Promise<() => Promise<string>> | undefined
    auth = {
      tokenProvider: async () => {
        provider ??= import('@azure/identity').then((lib) => {
          const { credential, description } = buildCredential(lib, azureOpenai.identity)
          logger.info(`Using deployment ${azureOpenai.deployment} (${azureOpenai.api} API) with ${description}`)
          return lib.getBearerTokenProvider(credential, COGNITIVE_SERVICES_SCOPE)
        }).catch((error: unknown) => {
          // Tried again at the next answer rather than failing every answer from now on.
          provider = undefined
          throw error
        })
        return (await provider)()
      },
    }
  }
  const azure = createAzure({ ...target, ...auth })
  model = azureOpenai.api === 'chat' ? azure.chat(azureOpenai.deployment) : azure.responses(azureOpenai.deployment)
  return model
}
