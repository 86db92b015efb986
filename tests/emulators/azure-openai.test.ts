import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAzure } from '@ai-sdk/azure'
import { APICallError, generateText, streamText, type LanguageModel } from 'ai'
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWK } from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  startAzureOpenAIEmulator,
  type AzureOpenAIEmulator,
  type RecordedRequest,
} from '../../emulators/azure-openai/index.ts'
import { buildPlan } from '../../emulators/azure-openai/plan.ts'
import { parseTriggers } from '../../emulators/azure-openai/triggers.ts'

const KEY = 'test-key'
const DEPLOYMENT = 'gpt-4o-mini'
let emu: AzureOpenAIEmulator

beforeAll(async () => {
  emu = await startAzureOpenAIEmulator({ apiKey: KEY, deployments: [DEPLOYMENT, 'gpt-4.1'], chunkDelayMs: 2 })
})
afterAll(() => emu.close())
beforeEach(async () => {
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })
})

const v1 = (apiKey = KEY) => createAzure({ baseURL: `${emu.url}/openai/v1`, apiKey })

const models = {
  responses: (d = DEPLOYMENT) => v1().responses(d),
  chat: (d = DEPLOYMENT) => v1().chat(d),
} satisfies Record<string, (d?: string) => LanguageModel>
const apis = Object.keys(models) as (keyof typeof models)[]

async function requests(url = emu.url): Promise<RecordedRequest[]> {
  return (await fetch(`${url}/_emulator/requests`)).json()
}

// Drains the SDK's full stream so every failure mode (thrown or streamed) ends up inspectable.
async function run(model: LanguageModel, prompt: string, extra: { maxRetries?: number, abortSignal?: AbortSignal, temperature?: number } = {}) {
  const deltas: string[] = []
  const errors: unknown[] = []
  let finish: { finishReason: string, rawFinishReason: string | undefined, totalUsage: { inputTokens?: number, outputTokens?: number, totalTokens?: number } } | undefined
  const result = streamText({ model, prompt, maxRetries: 0, onError: () => {}, ...extra })
  try {
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') deltas.push(part.text)
      else if (part.type === 'error') errors.push(part.error)
      else if (part.type === 'finish') finish = part
    }
  }
  catch (error) {
    errors.push(error)
  }
  return { deltas, text: deltas.join(''), errors, finish }
}

function apiError(errors: unknown[]): APICallError {
  const error = errors[0]
  if (!APICallError.isInstance(error)) throw new Error(`expected an APICallError, got ${String(error)}`)
  return error
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise(r => setTimeout(r, 20))
  }
}

async function rawPost(path: string, body: object, headers: Record<string, string> = { 'api-key': KEY }) {
  return fetch(`${emu.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
}

const sseData = (text: string) =>
  text
    .split('\n\n')
    .map(frame => frame.split('\n').find(l => l.startsWith('data: '))?.slice(6))
    .filter((d): d is string => d !== undefined)

describe('with the real @ai-sdk/azure client', () => {
  it.each(apis)('%s API streams many word deltas and reports usage', async (api) => {
    const r = await run(models[api](), 'Hello emulator, how are you?')
    expect(r.errors).toEqual([])
    expect(r.deltas.length).toBeGreaterThan(20)
    expect(r.text).toMatch(/^You asked: "Hello emulator, how are you\?"/)
    expect(r.finish?.finishReason).toBe('stop')
    expect(r.finish?.totalUsage.inputTokens).toBe(5)
    expect(r.finish?.totalUsage.outputTokens).toBe(r.text.split(/\s+/).filter(Boolean).length)
    expect(r.finish?.totalUsage.totalTokens).toBe(5 + (r.finish?.totalUsage.outputTokens ?? 0))

    const [rec] = await requests()
    expect(rec).toMatchObject({
      path: api === 'responses' ? '/openai/v1/responses' : '/openai/v1/chat/completions',
      deployment: DEPLOYMENT,
      auth: 'api-key',
      stream: true,
      lastUserText: 'Hello emulator, how are you?',
      status: 200,
      aborted: false,
    })
    expect(rec.endedAt).toBeGreaterThanOrEqual(rec.startedAt)
  })

  it.each(apis)('%s API answers deterministically and the same without streaming', async (api) => {
    const prompt = 'Explain this with code and a table'
    const a = await run(models[api](), prompt)
    const b = await run(models[api](), prompt)
    const plain = await generateText({ model: models[api](), prompt, maxRetries: 0 })
    expect(b.text).toBe(a.text)
    expect(plain.text).toBe(a.text)
    expect(plain.usage.outputTokens).toBe(a.finish?.totalUsage.outputTokens)
    expect(a.text).toContain('```ts\n')
    expect(a.text).toContain('| Property | Value |')
  })

  it.each([
    ['responses', 'responses'],
    ['chat', 'chat/completions'],
  ] as const)('deployment-based URLs work for %s', async (api, op) => {
    const azure = createAzure({
      baseURL: `${emu.url}/openai`,
      useDeploymentBasedUrls: true,
      apiVersion: '2024-10-21',
      apiKey: KEY,
    })
    const r = await run(api === 'responses' ? azure.responses('gpt-4.1') : azure.chat('gpt-4.1'), 'Hi')
    expect(r.errors).toEqual([])
    expect(r.text).toContain('You asked: "Hi"')
    const [rec] = await requests()
    expect(rec).toMatchObject({ path: `/openai/deployments/gpt-4.1/${op}`, apiVersion: '2024-10-21', deployment: 'gpt-4.1' })
  })

  it('rejects a wrong api-key with 401 and Azure’s body', async () => {
    const r = await run(createAzure({ baseURL: `${emu.url}/openai/v1`, apiKey: 'nope' })(DEPLOYMENT), 'Hi')
    const err = apiError(r.errors)
    expect(err.statusCode).toBe(401)
    expect(JSON.parse(err.responseBody ?? '')).toEqual({
      error: expect.objectContaining({ code: '401', message: expect.stringMatching(/^Access denied due to invalid subscription key/) }),
    })
    expect((await requests())[0]).toMatchObject({ auth: 'api-key', status: 401 })
  })

  it('surfaces an unknown deployment as a 404 DeploymentNotFound APICallError', async () => {
    const err = apiError((await run(models.responses('no-such-deployment'), 'Hi')).errors)
    expect(err.statusCode).toBe(404)
    expect(err.message).toMatch(/^The API deployment for this resource does not exist\./)
    expect(JSON.parse(err.responseBody ?? '').error.code).toBe('DeploymentNotFound')
  })

  it.each(apis)('%s API: a filtered prompt fails with 400 content_filter and innererror', async (api) => {
    const err = apiError((await run(models[api](), 'Bad words [[emulator:content-filter-prompt]]')).errors)
    expect(err.statusCode).toBe(400)
    expect(err.isRetryable).toBe(false)
    const body = JSON.parse(err.responseBody ?? '')
    expect(body.error).toMatchObject({
      code: 'content_filter',
      param: 'prompt',
      innererror: {
        code: 'ResponsibleAIPolicyViolation',
        content_filter_result: { hate: { filtered: true, severity: 'high' }, violence: { filtered: false, severity: 'safe' } },
      },
    })
  })

  it.each(apis)('%s API: a filtered answer stops with finishReason content-filter', async (api) => {
    const prompt = 'Tell a story [[emulator:content-filter-output]]'
    const r = await run(models[api](), prompt)
    expect(r.errors).toEqual([])
    expect(r.deltas.length).toBeGreaterThan(2)
    expect(r.finish?.finishReason).toBe('content-filter')
    expect(r.finish?.rawFinishReason).toBe('content_filter')
    const plain = await generateText({ model: models[api](), prompt, maxRetries: 0 })
    expect(plain.finishReason).toBe('content-filter')
    expect(plain.text).toBe(r.text)
  })

  it.each(apis)('%s API: 429 carries retry-after-ms and Retry-After', async (api) => {
    const err = apiError((await run(models[api](), 'Busy? [[emulator:429]]')).errors)
    expect(err.statusCode).toBe(429)
    expect(err.isRetryable).toBe(true)
    expect(err.responseHeaders).toMatchObject({ 'retry-after-ms': '1200', 'retry-after': '2' })
    expect(JSON.parse(err.responseBody ?? '').error.code).toBe('429')
  })

  it('429-once is refused the first time, then the SDK retry (honouring retry-after-ms) succeeds', async () => {
    const started = Date.now()
    const r = await run(models.chat(), 'Once [[emulator:429-once]]', { maxRetries: 1 })
    expect(r.errors).toEqual([])
    expect(r.text).toContain('You asked: "Once"')
    expect(Date.now() - started).toBeGreaterThanOrEqual(1100)
    expect((await requests()).map(q => q.status)).toEqual([429, 200])
  })

  it.each(apis)('%s API: a dropped connection surfaces an error after some text', async (api) => {
    const r = await run(models[api](), 'Go [[emulator:drop]]')
    expect(r.deltas.length).toBeGreaterThan(0)
    expect(r.errors.length).toBeGreaterThan(0)
    expect(r.finish?.finishReason).not.toBe('stop')
    expect((await requests())[0]).toMatchObject({ aborted: false, status: 200 })
  })

  it.each([
    ['401', 401],
    ['500', 500],
  ])('[[emulator:%s]] answers with that status', async (trigger, status) => {
    const err = apiError((await run(models.responses(), `Hi [[emulator:${trigger}]]`)).errors)
    expect(err.statusCode).toBe(status)
  })

  it.each(apis)('%s API: a client abort is recorded as aborted within a second', async (api) => {
    const controller = new AbortController()
    let abortedAt = 0
    const result = streamText({ model: models[api](), prompt: 'Take your time [[emulator:slow]]', abortSignal: controller.signal, onError: () => {} })
    let seen = 0
    try {
      for await (const part of result.fullStream) {
        if (part.type === 'text-delta' && ++seen === 2) {
          abortedAt = Date.now()
          controller.abort()
        }
      }
    }
    catch {
      // an abort may surface as a rejection depending on timing
    }
    const rec = await waitFor(async () => (await requests()).find(q => q.aborted))
    expect(rec.endedAt! - abortedAt).toBeLessThan(1000)
    expect(Date.now() - abortedAt).toBeLessThan(1000)
  })

  it('a hanging response (headers, no body) is recorded as aborted when the client gives up', async () => {
    const controller = new AbortController()
    const pending = run(models.chat(), 'Anyone there? [[emulator:hang]]', { abortSignal: controller.signal })
    await waitFor(async () => (await requests()).find(q => q.status === 200))
    const abortedAt = Date.now()
    controller.abort()
    const rec = await waitFor(async () => (await requests()).find(q => q.aborted))
    expect(rec.endedAt! - abortedAt).toBeLessThan(1000)
    expect((await pending).text).toBe('')
  })
})

describe('triggers shaping the answer', () => {
  // Checked on the plan rather than over HTTP: the real thing takes ~8 s by design.
  it('[[emulator:slow]] means about 40 chunks 200 ms apart', () => {
    const plan = buildPlan({ userText: 'Hi [[emulator:slow]]', triggers: parseTriggers('[[emulator:slow]]'), inputTokens: 2, defaultDelayMs: 15 })
    expect(plan.delayMs).toBe(200)
    expect(plan.deltas.length).toBeGreaterThanOrEqual(30)
    expect(plan.deltas.length).toBeLessThanOrEqual(45)
  })

  it('[[emulator:long]] gives about 400 words', async () => {
    const { text } = await run(models.chat(), 'Tell me more [[emulator:long]]')
    const words = text.split(/\s+/).filter(Boolean).length
    expect(words).toBeGreaterThanOrEqual(380)
    expect(words).toBeLessThanOrEqual(460)
  })

  it('[[emulator:html]] puts hostile markup verbatim into the text', async () => {
    const { text } = await run(models.responses(), 'Render this [[emulator:html]]')
    expect(text).toContain(`<img src=x onerror="fetch('/xss')">`)
    expect(text).toContain('<script>alert(1)</script>')
  })

  it('[[emulator:delay=NNN]] paces every chunk', async () => {
    const started = Date.now()
    const { deltas } = await run(models.chat(), 'Pace [[emulator:delay=25]]')
    expect(Date.now() - started).toBeGreaterThanOrEqual(deltas.length * 25 * 0.9)
  })
})

describe('wire format details', () => {
  const chatBody = (extra: object = {}) => ({
    model: DEPLOYMENT,
    stream: true,
    messages: [{ role: 'user', content: 'Hi' }],
    ...extra,
  })

  it('chat stream opens with prompt_filter_results and ends with usage only when asked', async () => {
    const withUsage = sseData(await (await rawPost('/openai/v1/chat/completions', chatBody({ stream_options: { include_usage: true } }))).text())
    const first = JSON.parse(withUsage[0])
    expect(first.choices).toEqual([])
    expect(first.prompt_filter_results[0].content_filter_results.hate).toEqual({ filtered: false, severity: 'safe' })
    expect(withUsage.at(-1)).toBe('[DONE]')
    const usage = JSON.parse(withUsage.at(-2)!)
    expect(usage.choices).toEqual([])
    expect(usage.usage).toMatchObject({ prompt_tokens: 1, total_tokens: usage.usage.prompt_tokens + usage.usage.completion_tokens })
    const content = JSON.parse(withUsage[2])
    expect(content.choices[0]).toMatchObject({ content_filter_results: { violence: { filtered: false } }, finish_reason: null })

    const without = sseData(await (await rawPost('/openai/v1/chat/completions', chatBody())).text())
    expect(without.some(d => d !== '[DONE]' && JSON.parse(d).usage)).toBe(false)
    expect(JSON.parse(without.at(-2)!).choices[0].finish_reason).toBe('stop')
  })

  it('chat content filter on output names the filtered category', async () => {
    const frames = sseData(
      await (await rawPost('/openai/v1/chat/completions', chatBody({ messages: [{ role: 'user', content: 'x [[emulator:content-filter-output]]' }] }))).text(),
    )
    const last = JSON.parse(frames.at(-2)!)
    expect(last.choices[0].finish_reason).toBe('content_filter')
    expect(last.choices[0].content_filter_results.violence).toEqual({ filtered: true, severity: 'medium' })
  })

  it('responses stream emits the full event sequence', async () => {
    const res = await rawPost('/openai/v1/responses', { model: DEPLOYMENT, stream: true, input: 'Hi' })
    const events = (await res.text()).split('\n\n').filter(Boolean).map(f => f.split('\n')[0].replace('event: ', ''))
    const distinct = events.filter((e, i) => e !== events[i - 1])
    expect(distinct).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ])
  })

  it('every answer carries apim-request-id and x-request-id uuids', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
    for (const res of [await rawPost('/openai/v1/responses', { model: DEPLOYMENT, input: 'Hi' }), await rawPost('/openai/v1/responses', {}, {})]) {
      expect(res.headers.get('apim-request-id')).toMatch(uuid)
      expect(res.headers.get('x-request-id')).toMatch(uuid)
      await res.arrayBuffer()
    }
  })

  it.each([
    ['no credentials', {}],
    ['a bearer token while Entra is not configured', { authorization: 'Bearer abc' }],
  ])('401 with %s', async (_, headers) => {
    const res = await rawPost('/openai/v1/responses', { model: DEPLOYMENT, input: 'Hi' }, headers)
    expect(res.status).toBe(401)
    expect((await res.json()).error.code).toBe('401')
  })

  it('unknown paths get a 404 JSON error and are logged', async () => {
    const res = await fetch(`${emu.url}/openai/v2/whatever`)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({ error: expect.objectContaining({ code: '404', message: 'Resource not found' }) })
    expect((await requests())[0]).toMatchObject({ path: '/openai/v2/whatever', status: 404 })
  })

  it('reset clears the request log', async () => {
    await (await rawPost('/openai/v1/responses', { model: DEPLOYMENT, input: 'Hi' })).text()
    expect(await requests()).toHaveLength(1)
    expect((await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })).status).toBe(200)
    expect(await requests()).toEqual([])
  })
})

describe('Entra bearer tokens', () => {
  const AUDIENCE = 'https://cognitiveservices.azure.com'
  const ISSUER_PREFIX = 'https://login.emulator.test/'
  const ISSUER = `${ISSUER_PREFIX}tenant-1/v2.0`
  let jwksServer: Server
  let entraEmu: AzureOpenAIEmulator
  let sign: (claims: { iss?: string, aud?: string, exp?: number }) => Promise<string>
  let signWithStrangerKey: () => Promise<string>

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256')
    const stranger = await generateKeyPair('RS256')
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
    jwksServer = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ keys: [jwk] }))
    })
    await new Promise<void>(r => jwksServer.listen(0, '127.0.0.1', r))
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/keys`
    entraEmu = await startAzureOpenAIEmulator({ chunkDelayMs: 0, entra: { jwksUrl, issuerPrefix: ISSUER_PREFIX } })

    const build = ({ iss = ISSUER, aud = AUDIENCE, exp = Math.floor(Date.now() / 1000) + 600 }) =>
      new SignJWT({ oid: 'o1', tid: 'tenant-1' }).setIssuer(iss).setAudience(aud).setIssuedAt().setExpirationTime(exp)
    sign = claims => build(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey)
    signWithStrangerKey = () => build({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(stranger.privateKey)
  })
  afterAll(async () => {
    await entraEmu.close()
    await new Promise(r => jwksServer.close(r))
  })

  const bearerModel = (token: () => Promise<string>) =>
    createAzure({ baseURL: `${entraEmu.url}/openai/v1`, tokenProvider: token }).responses(DEPLOYMENT)

  it('accepts a valid RS256 token from the tenant’s JWKS', async () => {
    const r = await run(bearerModel(() => sign({})), 'Hello with a token')
    expect(r.errors).toEqual([])
    expect(r.text).toContain('You asked: "Hello with a token"')
    expect((await requests(entraEmu.url)).at(-1)).toMatchObject({ auth: 'bearer', status: 200 })
  })

  it.each([
    ['an issuer outside the prefix', () => sign({ iss: 'https://evil.example/tenant-1/v2.0' })],
    ['a wrong audience', () => sign({ aud: 'api://someone-else' })],
    ['an expired token', () => sign({ exp: Math.floor(Date.now() / 1000) - 600 })],
    ['a signature from another key', () => signWithStrangerKey()],
    [
      'alg none',
      async () => new UnsecuredJWT({ oid: 'o1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('10m').encode(),
    ],
  ])('rejects %s with 401', async (_, token) => {
    const err = apiError((await run(bearerModel(token), 'Hi')).errors)
    expect(err.statusCode).toBe(401)
    expect((await requests(entraEmu.url)).at(-1)).toMatchObject({ auth: 'bearer', status: 401 })
  })
})

describe('several deployments', () => {
  let several: AzureOpenAIEmulator
  beforeAll(async () => {
    several = await startAzureOpenAIEmulator({
      apiKey: KEY,
      chunkDelayMs: 1,
      // `thinker`: a reasoning deployment whose name the AI SDK does not know as one (Azure's names are free).
      deployments: ['gpt-4o-mini', { name: 'gpt-4.1', apiKey: 'own-key' }, { name: 'o4-mini', reasoning: true }, { name: 'thinker', reasoning: true }],
    })
  })
  afterAll(() => several.close())
  const azure = (apiKey = KEY) => createAzure({ baseURL: `${several.url}/openai/v1`, apiKey })

  it('answers each deployment distinctly, and one with its own key refuses the shared key', async () => {
    const small = await run(azure().responses('gpt-4o-mini'), 'Hi')
    const large = await run(azure('own-key').chat('gpt-4.1'), 'Hi')
    expect(small.text).toContain('Answered by the `gpt-4o-mini` deployment.')
    expect(large.text).toContain('Answered by the `gpt-4.1` deployment.')
    const refused = await run(azure().chat('gpt-4.1'), 'Hi')
    expect(apiError(refused.errors).statusCode).toBe(401)
    const log = await requests(several.url)
    expect(log.map(r => [r.deployment, r.api, r.status])).toEqual([
      ['gpt-4o-mini', 'responses', 200],
      ['gpt-4.1', 'chat.completions', 200],
      ['gpt-4.1', 'chat.completions', 401],
    ])
  })

  it('streams a reasoning deployment\'s summary before its answer, when asked for one', async () => {
    const order: string[] = []
    let reasoning = ''
    const result = streamText({
      model: azure().responses('o4-mini'),
      prompt: 'Why is the sky blue?',
      maxRetries: 0,
      providerOptions: { openai: { reasoningEffort: 'high', reasoningSummary: 'auto' } },
    })
    for await (const part of result.fullStream) {
      if (part.type === 'reasoning-delta') reasoning += part.text
      if (part.type === 'reasoning-delta' || part.type === 'text-delta') {
        if (order.at(-1) !== part.type) order.push(part.type)
      }
    }
    expect(order).toEqual(['reasoning-delta', 'text-delta'])
    expect(reasoning).toContain('The user asks: "Why is the sky blue?"')
    expect((await result.text)).toContain('You asked: "Why is the sky blue?"')
    expect((await result.usage).outputTokenDetails?.reasoningTokens).toBeGreaterThan(0)
    const [record] = (await requests(several.url)).slice(-1)
    expect(record!.reasoning).toEqual({ effort: 'high', summary: 'auto' })
  })

  it('sends no summary when none is asked for', async () => {
    const result = streamText({ model: azure().responses('o4-mini'), prompt: 'Hi', maxRetries: 0 })
    const types = new Set<string>()
    for await (const part of result.fullStream) types.add(part.type)
    expect(types.has('reasoning-delta')).toBe(false)
    expect(types.has('text-delta')).toBe(true)
  })

  it('refuses a sampling parameter on a reasoning deployment the way Azure does', async () => {
    const refused = await run(azure().responses('thinker'), 'Hi', { temperature: 0.2 })
    const error = apiError(refused.errors)
    expect(error.statusCode).toBe(400)
    expect(JSON.parse(error.responseBody ?? '').error).toEqual({
      code: 'unsupported_parameter',
      message: 'Unsupported parameter: \'temperature\' is not supported with this model.',
      param: 'temperature',
      type: 'invalid_request_error',
    })
    // The same parameter is fine on a deployment that is not a reasoning model.
    expect((await run(azure().responses('gpt-4o-mini'), 'Hi', { temperature: 0.2 })).errors).toEqual([])
  })
})
