import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, parseServerConfig } from '../../server/utils/config'

const production = {
  NODE_ENV: 'production',
  NUXT_AUTH_SECRET: 'x'.repeat(40),
  AUTH_ORIGIN: 'https://assistant.contoso.com',
  AZURE_AD_CLIENT_ID: '00000000-0000-4000-8000-000000000001',
  AZURE_AD_CLIENT_SECRET: 'secret',
  AZURE_AD_TENANT_ID: '00000000-0000-4000-8000-0000000000aa',
  AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com',
  AZURE_OPENAI_DEPLOYMENT: 'gpt-4o',
}

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseServerConfig(env)
    return []
  }
  catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
}

describe('server configuration', () => {
  it('accepts a complete production configuration', () => {
    const config = parseServerConfig(production)
    expect(config.appEnv).toBe('production')
    expect(config.azureAd.allowedTenants).toEqual([production.AZURE_AD_TENANT_ID])
    expect(config.azureAd.scope).toBe(`openid profile email offline_access ${production.AZURE_AD_CLIENT_ID}/access_as_user User.Read`)
    expect(config.azureOpenai.models[0]!.baseURL).toBe('https://contoso.openai.azure.com/openai/v1')
  })

  it('runs with nothing configured outside production', () => {
    const config = parseServerConfig({})
    expect(config.appEnv).toBe('development')
    expect(config.database.url).toBeUndefined()
    expect(config.database.pgliteDataDir).toBe('.data/db')
  })

  it.each([
    ['no auth secret', { NUXT_AUTH_SECRET: undefined }, 'NUXT_AUTH_SECRET is required'],
    ['a short auth secret', { NUXT_AUTH_SECRET: 'short' }, 'NUXT_AUTH_SECRET must be at least 32 characters'],
    ['no public origin', { AUTH_ORIGIN: undefined }, 'AUTH_ORIGIN is required'],
    ['a plain-http origin', { AUTH_ORIGIN: 'http://assistant.contoso.com' }, 'AUTH_ORIGIN must be an https:// origin in production'],
    ['an origin with the auth path', { AUTH_ORIGIN: 'https://assistant.contoso.com/api/auth' }, 'AUTH_ORIGIN must be the bare origin, without a path such as /api/auth'],
    ['no client id', { AZURE_AD_CLIENT_ID: '' }, 'AZURE_AD_CLIENT_ID is required'],
    ['no client secret', { AZURE_AD_CLIENT_SECRET: undefined }, 'AZURE_AD_CLIENT_SECRET is required'],
    ['a tenant name instead of its GUID', { AZURE_AD_TENANT_ID: 'contoso.onmicrosoft.com' }, 'AZURE_AD_TENANT_ID must be the tenant GUID'],
    ['the Entra emulator', { AZURE_AD_AUTHORITY_HOST: 'http://127.0.0.1:4010' }, 'AZURE_AD_AUTHORITY_HOST must be an https:// Entra authority, not a local emulator'],
    ['the Azure OpenAI emulator', { AZURE_OPENAI_ENDPOINT: 'http://localhost:4011' }, 'AZURE_OPENAI_ENDPOINT must not be a local emulator in production'],
    ['no Azure OpenAI endpoint', { AZURE_OPENAI_ENDPOINT: undefined }, 'AZURE_OPENAI_ENDPOINT or AZURE_OPENAI_RESOURCE_NAME is required'],
    ['no deployment', { AZURE_OPENAI_DEPLOYMENT: undefined }, 'AZURE_OPENAI_DEPLOYMENT is required'],
    ['a malformed DATABASE_URL', { DATABASE_URL: 'mysql://db:3306/x' }, 'DATABASE_URL must start with postgres:// or postgresql://'],
    ['half a client-secret credential', { AZURE_CLIENT_SECRET: 's', AZURE_CLIENT_ID: 'c' }, 'AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET must be set together'],
    ['an unknown API flavour', { AZURE_OPENAI_API: 'completions' }, 'AZURE_OPENAI_API'],
    ['a non-numeric limit', { DAILY_TOKEN_QUOTA: 'lots' }, 'DAILY_TOKEN_QUOTA'],
  ])('refuses %s, naming the setting', (_, override, message) => {
    expect(problemsOf({ ...production, ...override }).join('\n')).toContain(message)
  })

  it('names every problem at once', () => {
    const problems = problemsOf({ NODE_ENV: 'production' })
    expect(problems).toEqual(expect.arrayContaining([
      'NUXT_AUTH_SECRET is required',
      'AUTH_ORIGIN is required',
      'AZURE_AD_CLIENT_ID is required',
      'AZURE_AD_CLIENT_SECRET is required',
      'AZURE_AD_TENANT_ID is required',
      'AZURE_OPENAI_DEPLOYMENT is required (or a list in AZURE_OPENAI_DEPLOYMENTS)',
    ]))
  })

  it('names every problem at once also when a value fails to parse', () => {
    const problems = problemsOf({ NODE_ENV: 'production', CHAT_MAX_OUTPUT_TOKENS: 'banana', AZURE_AD_PROMPT: 'sometimes' })
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^CHAT_MAX_OUTPUT_TOKENS: /),
      expect.stringMatching(/^AZURE_AD_PROMPT: /),
      'NUXT_AUTH_SECRET is required',
      'AUTH_ORIGIN is required',
      'AZURE_AD_CLIENT_ID is required',
      'AZURE_AD_CLIENT_SECRET is required',
      'AZURE_AD_TENANT_ID is required',
      'AZURE_OPENAI_ENDPOINT or AZURE_OPENAI_RESOURCE_NAME is required',
      'AZURE_OPENAI_DEPLOYMENT is required (or a list in AZURE_OPENAI_DEPLOYMENTS)',
    ]))
  })

  it('allows emulators in test mode', () => {
    expect(problemsOf({ ...production, APP_ENV: 'test', AZURE_AD_AUTHORITY_HOST: 'http://127.0.0.1:4010', AUTH_ORIGIN: 'http://127.0.0.1:3000' })).toEqual([])
  })
})

describe('Azure OpenAI deployments', () => {
  const list = [
    { id: 'fast', label: 'Fast', deployment: 'gpt-4o-mini' },
    { id: 'large', label: 'Large', deployment: 'gpt-4.1', api: 'chat', contextTokens: 100_000, costWeight: 5, endpoint: 'https://contoso-east.openai.azure.com', apiKeySetting: 'EAST_OPENAI_KEY' },
    { id: 'reasoning', label: 'Reasoning', deployment: 'o4-mini', reasoning: { effort: 'high' }, credential: 'entra' },
  ]
  const withList = (value: unknown, extra: Record<string, string | undefined> = {}) => ({
    ...production,
    AZURE_OPENAI_DEPLOYMENT: undefined,
    AZURE_OPENAI_API_KEY: 'shared-key',
    AZURE_OPENAI_DEPLOYMENTS: typeof value === 'string' ? value : JSON.stringify(value),
    EAST_OPENAI_KEY: 'east-key',
    ...extra,
  })

  it('keeps the single-deployment settings working as a list of one, the default', () => {
    const { models } = parseServerConfig({ ...production, AZURE_OPENAI_API: 'chat', AZURE_OPENAI_API_KEY: 'k', CHAT_CONTEXT_BUDGET_TOKENS: '9000' }).azureOpenai
    expect(models).toEqual([{
      id: 'gpt-4o', label: 'gpt-4o', deployment: 'gpt-4o', api: 'chat', contextTokens: 9000, maxOutputTokens: 2048, costWeight: 1,
      baseURL: 'https://contoso.openai.azure.com/openai/v1', resourceName: undefined, apiVersion: undefined, apiKey: 'k',
    }])
  })

  it('reads a list, each deployment with its own endpoint, credential, limits and weight', () => {
    const { models } = parseServerConfig(withList(list)).azureOpenai
    expect(models.map(m => [m.id, m.api, m.baseURL, m.apiKey, m.contextTokens, m.costWeight])).toEqual([
      ['fast', 'responses', 'https://contoso.openai.azure.com/openai/v1', 'shared-key', 16_000, 1],
      ['large', 'chat', 'https://contoso-east.openai.azure.com/openai/v1', 'east-key', 100_000, 5],
      ['reasoning', 'responses', 'https://contoso.openai.azure.com/openai/v1', undefined, 16_000, 1],
    ])
    expect(models[2]!.reasoning).toEqual({ effort: 'high', summary: true })
  })

  it('reads the list from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deployments-'))
    writeFileSync(join(dir, 'models.json'), JSON.stringify(list))
    const { models } = parseServerConfig({ ...withList(list), AZURE_OPENAI_DEPLOYMENTS: undefined, AZURE_OPENAI_DEPLOYMENTS_FILE: join(dir, 'models.json') }).azureOpenai
    expect(models.map(m => m.id)).toEqual(['fast', 'large', 'reasoning'])
  })

  it('names every problem of the list at once', () => {
    const problems = problemsOf(withList([
      { id: 'fast', label: 'Fast', deployment: 'a' },
      { id: 'fast', label: 'Again', deployment: 'b', apiKeySetting: 'MISSING_KEY' },
      { id: 'think', label: 'Think', deployment: 'c', api: 'chat', reasoning: { effort: 'high' } },
    ]))
    expect(problems).toEqual([
      'AZURE_OPENAI_DEPLOYMENTS[1].id: "fast" is used twice',
      'AZURE_OPENAI_DEPLOYMENTS[1].apiKeySetting: MISSING_KEY is not set',
      'AZURE_OPENAI_DEPLOYMENTS[2].reasoning: needs "api": "responses" (the reasoning summary comes only from the Responses API)',
    ])
  })

  it.each([
    ['not JSON', '[{', 'AZURE_OPENAI_DEPLOYMENTS is not valid JSON'],
    ['an empty list', [], 'AZURE_OPENAI_DEPLOYMENTS: must list at least one deployment'],
    ['an unknown API', [{ id: 'a', label: 'A', deployment: 'a', api: 'completions' }], 'AZURE_OPENAI_DEPLOYMENTS[0].api'],
    ['an unknown field', [{ id: 'a', label: 'A', deployment: 'a', temperature: 1 }], 'AZURE_OPENAI_DEPLOYMENTS[0]: Unrecognized key: "temperature"'],
    ['a bad effort', [{ id: 'a', label: 'A', deployment: 'a', reasoning: { effort: 'max' } }], 'AZURE_OPENAI_DEPLOYMENTS[0].reasoning.effort'],
    ['a zero weight', [{ id: 'a', label: 'A', deployment: 'a', costWeight: 0 }], 'AZURE_OPENAI_DEPLOYMENTS[0].costWeight: must be above 0'],
    ['an emulator in production', [{ id: 'a', label: 'A', deployment: 'a', endpoint: 'http://127.0.0.1:3102' }], 'AZURE_OPENAI_DEPLOYMENTS must not name a local emulator in production'],
  ])('refuses %s', (_, value, message) => {
    expect(problemsOf(withList(value)).join('\n')).toContain(message)
  })

  it('refuses the single setting and the list together', () => {
    expect(problemsOf(withList(list, { AZURE_OPENAI_DEPLOYMENT: 'gpt-4o' }))).toContain('AZURE_OPENAI_DEPLOYMENT and AZURE_OPENAI_DEPLOYMENTS are all set; set only one of them')
  })
})
