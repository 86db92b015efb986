import { createAzure } from '@ai-sdk/azure'
import { generateText } from 'ai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAzureOpenAIEmulator, type AzureOpenAIEmulator } from '../../emulators/azure-openai/index.ts'
import { describeModelError } from '../../server/utils/model-errors'

let emulator: AzureOpenAIEmulator
beforeAll(async () => {
  emulator = await startAzureOpenAIEmulator({ apiKey: 'k', deployments: [{ name: 'thinker', reasoning: true }], chunkDelayMs: 0 })
})
afterAll(() => emulator.close())

describe('a reasoning model refusing a parameter', () => {
  it('is the operator\'s problem: a plain sentence for the user, the parameter in the log', async () => {
    const model = createAzure({ baseURL: `${emulator.url}/openai/v1`, apiKey: 'k' }).responses('thinker')
    const error = await generateText({ model, prompt: 'Hi', temperature: 0.3, maxRetries: 0 }).then(() => undefined, (e: unknown) => e)
    const problem = describeModelError(error)
    expect(problem).toMatchObject({ kind: 'misconfigured', status: 503 })
    expect(problem.message).toBe('The assistant is misconfigured and cannot reach the model right now. Your message is saved; please tell the service desk.')
    expect(problem.log).toContain('Azure OpenAI refused the parameter temperature')
    expect(problem.log).toContain('Unsupported parameter: \'temperature\' is not supported with this model.')
    expect(problem.log).not.toContain('Hi')
  })

  it('tells the user in the language of the request that asked, and the operator in English', async () => {
    const model = createAzure({ baseURL: `${emulator.url}/openai/v1`, apiKey: 'k' }).responses('thinker')
    const error = await generateText({ model, prompt: 'Hi', temperature: 0.3, maxRetries: 0 }).then(() => undefined, (e: unknown) => e)
    const german = describeModelError(error, 'de')
    expect(german.message).toBe('Der Assistent ist falsch konfiguriert und erreicht das Modell derzeit nicht. Ihre Nachricht ist gespeichert; bitte informieren Sie den Service Desk.')
    expect(german.log).toBe(describeModelError(error, 'en').log)
    expect(describeModelError(error, 'fr').message).toContain('L’assistant est mal configuré')
  })
})
