import { createAzure } from '@ai-sdk/azure'
import type { TokenCredential } from '@azure/identity'
import type { EmbeddingModel, LanguageModel } from 'ai'
import type { ModelConfig } from './deployments'

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

const models = new Map<string, LanguageModel>()
let tokenProvider: Promise<() => Promise<string>> | undefined

/** One Entra token provider for every keyless deployment: they share the server's identity. */
async function entraToken(): Promise<string> {
  tokenProvider ??= import('@azure/identity').then((lib) => {
    const { credential, description } = buildCredential(lib, useServerConfig().azureOpenai.identity)
    logger.info(`Keyless deployments authenticate with ${description}`)
    return lib.getBearerTokenProvider(credential, COGNITIVE_SERVICES_SCOPE)
  }).catch((error: unknown) => {
    // Tried again at the next answer rather than failing every answer from now on.
    tokenProvider = undefined
    throw error
  })
  return (await tokenProvider)()
}

/** The configured model by id; an unknown or missing id (a deployment since removed) is the default. */
export function modelConfig(id?: string | null): ModelConfig {
  const { models: configured } = useServerConfig().azureOpenai
  return configured.find(m => m.id === id) ?? configured[0]!
}

/**
 * What a reasoning deployment is asked for: its effort and a summary. Azure's deployment names are
 * free, so the SDK is told it is a reasoning model rather than left to guess from the name (a
 * guess that would send `temperature` and the like, which these models refuse).
 */
export function providerOptionsFor(config: ModelConfig) {
  if (!config.reasoning) return undefined
  return {
    azure: {
      forceReasoning: true,
      reasoningEffort: config.reasoning.effort,
      ...(config.reasoning.summary ? { reasoningSummary: 'auto' } : {}),
    },
  }
}

/** A deployment as an AI SDK model, authenticated by its key or an Entra token. */
export function getLanguageModel(config: ModelConfig = modelConfig()): LanguageModel {
  const cached = models.get(config.id)
  if (cached) return cached
  const target = {
    ...(config.baseURL ? { baseURL: config.baseURL } : { resourceName: config.resourceName }),
    ...(config.apiVersion ? { apiVersion: config.apiVersion, useDeploymentBasedUrls: true } : {}),
  }
  const auth = config.apiKey ? { apiKey: config.apiKey } : { tokenProvider: entraToken }
  logger.info(`Model ${config.id}: deployment ${config.deployment} (${config.api} API) with ${config.apiKey ? 'an API key' : 'an Entra token'}`)
  const azure = createAzure({ ...target, ...auth })
  const model = config.api === 'chat' ? azure.chat(config.deployment) : azure.responses(config.deployment)
  models.set(config.id, model)
  return model
}

let embeddingModel: EmbeddingModel | undefined

/**
 * The embedding deployment (AZURE_OPENAI_EMBEDDING_DEPLOYMENT) as an AI SDK model: on the default
 * model's resource, with the same key or keyless credential as chat.
 */
export function getEmbeddingModel(): EmbeddingModel {
  if (embeddingModel) return embeddingModel
  const config = modelConfig()
  const target = {
    ...(config.baseURL ? { baseURL: config.baseURL } : { resourceName: config.resourceName }),
    ...(config.apiVersion ? { apiVersion: config.apiVersion, useDeploymentBasedUrls: true } : {}),
  }
  const auth = config.apiKey ? { apiKey: config.apiKey } : { tokenProvider: entraToken }
  const deployment = useServerConfig().documents.embeddingDeployment
  logger.info(`Embeddings: deployment ${deployment} with ${config.apiKey ? 'an API key' : 'an Entra token'}`)
  embeddingModel = createAzure({ ...target, ...auth }).embedding(deployment)
  return embeddingModel
}
