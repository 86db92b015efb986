import { createAzure } from '@ai-sdk/azure'
import { APICallError, embed, embedMany } from 'ai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAzureOpenAIEmulator, type AzureOpenAIEmulator } from '../../emulators/azure-openai/index.ts'

const KEY = 'test-key'
let emu: AzureOpenAIEmulator

beforeAll(async () => {
  emu = await startAzureOpenAIEmulator({ apiKey: KEY })
})
afterAll(() => emu.close())

const cosine = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i]!, 0)
const v1 = (apiKey = KEY) => createAzure({ baseURL: `${emu.url}/openai/v1`, apiKey }).embedding('text-embedding-3-small')

describe('Azure OpenAI emulator: embeddings', () => {
  it('answers the AI SDK with 1536-dimension unit vectors, the same for the same text', async () => {
    const { embeddings, usage } = await embedMany({ model: v1(), values: ['Travel expenses are reimbursed.', 'Travel expenses are reimbursed.'] })
    expect(embeddings).toHaveLength(2)
    expect(embeddings[0]).toHaveLength(1536)
    expect(Math.hypot(...embeddings[0]!)).toBeCloseTo(1, 6)
    expect(embeddings[1]).toEqual(embeddings[0])
    expect(usage.tokens).toBeGreaterThan(0)
  })

  it('puts related texts nearer than unrelated ones', async () => {
    const { embeddings: [question, related, unrelated] } = await embedMany({
      model: v1(),
      values: ['How are travel expenses reimbursed?', 'Travel expenses are reimbursed within thirty days.', 'The credit committee meets every quarter.'],
    })
    expect(cosine(question!, related!)).toBeGreaterThan(0.3)
    expect(cosine(question!, related!)).toBeGreaterThan(cosine(question!, unrelated!) + 0.2)
  })

  it('serves the deployment-based URL with an api-version, and 404s without one', async () => {
    const azure = createAzure({ baseURL: `${emu.url}/openai`, apiKey: KEY, apiVersion: '2024-10-21', useDeploymentBasedUrls: true })
    const { embedding } = await embed({ model: azure.embedding('text-embedding-3-small'), value: 'hello' })
    expect(embedding).toHaveLength(1536)
    const response = await fetch(`${emu.url}/openai/deployments/text-embedding-3-small/embeddings`, { method: 'POST', headers: { 'api-key': KEY, 'content-type': 'application/json' }, body: '{"input":"x"}' })
    expect(response.status).toBe(404)
  })

  it('refuses a wrong key, an unknown deployment and a bad input with Azure\'s error bodies', async () => {
    const post = (body: unknown, key = KEY) => fetch(`${emu.url}/openai/v1/embeddings`, { method: 'POST', headers: { 'api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect((await post({ model: 'text-embedding-3-small', input: 'x' }, 'wrong')).status).toBe(401)
    const unknown = await post({ model: 'no-such-deployment', input: 'x' })
    expect(unknown.status).toBe(404)
    expect((await unknown.json()).error.code).toBe('DeploymentNotFound')
    const bad = await post({ model: 'text-embedding-3-small', input: [1, 2] })
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.message).toContain('input')
  })

  it('rate-limits on [[emulator:429]] with Retry-After, as Azure does', async () => {
    const error = await embedMany({ model: v1(), values: ['busy [[emulator:429]]'], maxRetries: 0 }).catch((e: unknown) => e)
    expect(APICallError.isInstance(error)).toBe(true)
    expect((error as APICallError).statusCode).toBe(429)
    expect((error as APICallError).responseHeaders?.['retry-after']).toBe('2')
  })
})

describe('Azure OpenAI emulator: answers from retrieved passages', () => {
  const system = 'You are helpful.\n\nAnswer from the company documents below.\n\nPassages:\n\n[1] policy.pdf, page 1:\nTravel expenses are reimbursed within thirty days. Receipts are needed.\n\n[2] hotels.pdf, page 2:\nHotel stays are limited to 150 euros per night.\nIn Frankfurt only.'

  it('quotes and cites the passage sharing most words with the question', async () => {
    const { groundedReply } = await import('../../emulators/azure-openai/grounded.ts')
    expect(groundedReply(system, 'What is the hotel limit per night?')).toBe('According to [2] (hotels.pdf, page 2): Hotel stays are limited to 150 euros per night.')
    expect(groundedReply(system, 'When are travel expenses reimbursed?')).toBe('According to [1] (policy.pdf, page 1): Travel expenses are reimbursed within thirty days.')
  })

  it('says so when no passage is relevant, and stays out of prompts without passages', async () => {
    const { groundedReply } = await import('../../emulators/azure-openai/grounded.ts')
    expect(groundedReply(system, 'Who won the match?')).toBe('The documents you can search do not cover this question.')
    expect(groundedReply('You are helpful.', 'Hotels?')).toBeNull()
  })
})
