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
    expect(config.azureAd.scope).toBe(`openid profile email offline_access ${production.AZURE_AD_CLIENT_ID}/access_as_user`)
    expect(config.azureOpenai.baseURL).toBe('https://contoso.openai.azure.com/openai/v1')
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
      'AZURE_OPENAI_DEPLOYMENT is required',
    ]))
  })

  it('allows emulators in test mode', () => {
    expect(problemsOf({ ...production, APP_ENV: 'test', AZURE_AD_AUTHORITY_HOST: 'http://127.0.0.1:4010', AUTH_ORIGIN: 'http://127.0.0.1:3000' })).toEqual([])
  })
})
