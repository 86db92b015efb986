import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpClient, parseAccountPicker } from '../support/http-client'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

let stack: Stack

beforeAll(async () => {
  stack = await startStack({ servers: 2 })
})
afterAll(async () => {
  await stack?.stop()
})

describe('sign-in with Entra ID', () => {
  it('sends a page request without a session straight to Entra and lands signed in', async () => {
    const { client, start, back } = await signIn(stack.app, accounts.megan)
    // Page -> our sign-in redirect -> Entra authorize: no page of ours in between.
    expect(start.chain[1]).toMatch(`${stack.app.url}/api/session/sign-in`)
    expect(start.chain[2]).toMatch(`${stack.entra.authorityHost}/${accounts.megan.tid}/`)
    const authorize = new URL(start.chain[2]!)
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authorize.searchParams.get('state')).toBeTruthy()
    expect(authorize.searchParams.get('nonce')).toBeTruthy()
    expect(authorize.searchParams.get('scope')).toContain('/access_as_user')
    expect(back.response.status).toBe(200)
    expect(back.url).toBe(`${stack.app.url}/`)
    const me = await api(client, `${stack.app.url}/api/me`)
    expect(me.status).toBe(200)
    expect(me.json).toMatchObject({ name: 'Megan Bowen', email: 'megan.bowen@contoso.com', roles: [] })
    expect(me.json.emulated).toEqual({ entra: true, openai: true })
  })

  it('keeps one user row across sign-ins, keyed by tenant and object id', async () => {
    const first = await signIn(stack.app, accounts.alex)
    const second = await signIn(stack.app, accounts.alex)
    const a = await api(first.client, `${stack.app.url}/api/me`)
    const b = await api(second.client, `${stack.app.url}/api/me`)
    expect(a.json.id).toBe(b.json.id)
  })

  it('carries the Admin app role from the token into the session', async () => {
    const { client } = await signIn(stack.app, accounts.adele)
    const me = await api(client, `${stack.app.url}/api/me`)
    expect(me.json.roles).toEqual(['Admin'])
  })

  it('keeps every cookie of the flow under 4,096 bytes, with no chunked session cookie', async () => {
    const client = new HttpClient()
    const sizes: number[] = []
    const original = client.fetch.bind(client)
    client.fetch = async (url, init) => {
      const response = await original(url, init)
      if (url.startsWith(stack.app.url)) sizes.push(...response.headers.getSetCookie().map(c => c.length))
      return response
    }
    await signIn(stack.app, accounts.megan, client)
    const appCookies = [...client.cookies(stack.app.url).keys()]
    expect(appCookies).toContain('next-auth.session-token')
    expect(appCookies.some(name => /session-token\.\d+$/.test(name))).toBe(false)
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(4096)
    expect(client.cookies(stack.app.url).get('next-auth.session-token')!.length).toBeLessThan(1500)
  })

  it('answers 401 JSON with WWW-Authenticate to an API call without a session, never a redirect', async () => {
    const response = await api(new HttpClient(), `${stack.app.url}/api/chats`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(response.json.message).toBe('Please sign in to continue.')
  })

  it.each([
    ['tampered', (v: string) => v.slice(0, -4) + 'AAAA'],
    ['truncated', (v: string) => v.slice(0, v.length / 2)],
    ['garbage', () => 'not-a-jwe'],
  ])('treats a %s session cookie as no session: 401 on the API, sign-in on pages', async (_, mangle) => {
    const { client } = await signIn(stack.app, accounts.megan)
    const jar = client.cookies(stack.app.url)
    jar.set('next-auth.session-token', mangle(jar.get('next-auth.session-token')!))
    expect((await api(client, `${stack.app.url}/api/me`)).status).toBe(401)
    const page = await client.fetch(`${stack.app.url}/`)
    expect(page.status).toBe(302)
    expect(page.headers.get('location')).toMatch('/api/session/sign-in')
  })

  it('shows our error page for a callback with a bad state', async () => {
    const client = new HttpClient()
    const result = await client.follow(`${stack.app.url}/api/auth/callback/azure-ad?code=bogus&state=bogus`)
    expect(result.url).toMatch(`${stack.app.url}/auth/error`)
    expect(result.response.status).toBe(200)
    const html = await result.response.text()
    expect(html).toContain('Sign-in failed')
    expect(html).not.toMatch(/at .*\.mjs/)
  })

  it('shows Entra\'s AADSTS refusal on our error page', async () => {
    const result = await new HttpClient().follow(`${stack.app.url}/api/auth/callback/azure-ad?error=access_denied&error_description=${encodeURIComponent('AADSTS50105: The signed in user is not assigned to a role for the application.')}`)
    const html = await result.response.text()
    expect(html).toContain('AADSTS50105')
    expect(html).toContain('You have not been given access to this app')
  })

  it('signs out: the session ends here and at Entra, and the old cookie is refused', async () => {
    const { client } = await signIn(stack.app, accounts.lynne)
    const oldCookie = client.cookies(stack.app.url).get('next-auth.session-token')!
    const out = await api(client, `${stack.app.url}/api/session/sign-out`, { method: 'POST', headers: { origin: stack.app.url } })
    expect(out.status).toBe(200)
    const endSession = new URL(out.json.redirect)
    expect(endSession.origin).toBe(stack.entra.authorityHost)
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.app.url}/signed-out`)
    const landed = await client.follow(out.json.redirect)
    expect(landed.url).toBe(`${stack.app.url}/signed-out`)
    const replay = new HttpClient()
    replay.setCookie(stack.app.url, 'next-auth.session-token', oldCookie)
    expect((await api(replay, `${stack.app.url}/api/me`)).status).toBe(401)
  })
})

describe('silent sign-in (AZURE_AD_PROMPT=none)', () => {
  it('falls back to one interactive sign-in without an Entra session, and is silent with one', async () => {
    const app = await stack.startApp({ AZURE_AD_PROMPT: 'none' })
    try {
      const client = new HttpClient()
      const first = await client.follow(`${app.url}/chat?from=test`)
      const prompts = first.chain.filter(u => u.includes('/oauth2/v2.0/authorize')).map(u => new URL(u).searchParams.get('prompt'))
      expect(prompts).toEqual(['none', 'select_account'])
      const picker = parseAccountPicker(await first.response.text())!
      const back = await client.follow(new URL(picker.action, first.url).toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ account: accounts.megan.oid }),
      })
      expect(back.url).toBe(`${app.url}/chat?from=test`)

      // Signed out of the app but not of Entra: the next sign-in is silent, no picker.
      client.jar.delete(new URL(app.url).host)
      const silent = await client.follow(`${app.url}/`)
      expect(silent.url).toBe(`${app.url}/`)
      expect(silent.response.status).toBe(200)
      expect(silent.chain.filter(u => u.includes('/authorize')).map(u => new URL(u).searchParams.get('prompt'))).toEqual(['none'])
    }
    finally {
      await app.stop()
    }
  })
})
