// Drives the emulator's sign-in like a browser would, with fetch and a cookie jar, for tests
// that have no browser: follow redirects, pick an account on the picker, stop at the app.

/** A minimal cookie jar: one host, paths ignored (every cookie is sent everywhere). */
export class CookieJar {
  #cookies = new Map<string, string>()

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = value === '' || attributes.some((attribute) => {
        const [key = '', val = ''] = attribute.split('=').map(part => part.trim().toLowerCase())
        return (key === 'max-age' && Number(val) <= 0) || (key === 'expires' && Date.parse(val) <= Date.now())
      })
      if (expired) this.#cookies.delete(name)
      else this.#cookies.set(name, value)
    }
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  get size(): number {
    return this.#cookies.size
  }
}

/** GET or POST without following redirects, carrying and updating the jar's cookies. */
export async function fetchWithCookies(url: string | URL, jar: CookieJar, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (jar.size) headers.set('cookie', jar.header())
  const response = await fetch(url, { ...init, headers, redirect: 'manual' })
  jar.store(response)
  return response
}

function unescapeHtml(value: string): string {
  return value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&')
}

export interface AccountPickerForm {
  action: string
  /** The `value` of every `<button name="account">`: the oids on offer. */
  accounts: string[]
}

/** Reads the picker page: its form's action and the account buttons. */
export function parseAccountPicker(html: string): AccountPickerForm | undefined {
  const action = /<form[^>]*method="post"[^>]*action="([^"]*)"/i.exec(html)?.[1]
  if (action === undefined) return undefined
  const accounts = [...html.matchAll(/<button[^>]*name="account"[^>]*value="([^"]*)"/gi)].map(match => unescapeHtml(match[1] ?? ''))
  return { action: unescapeHtml(action), accounts }
}

export interface SignInOptions {
  /** The oid to pick if the account picker shows up; without it the picker is an error. */
  account?: string
  jar?: CookieJar
  maxHops?: number
}

/**
 * Follows an authorization request through the emulator and returns the URL it finally
 * redirects to outside the emulator (the app's redirect_uri with `code` or `error`).
 */
export async function signIn(authorizeUrl: string | URL, { account, jar = new CookieJar(), maxHops = 10 }: SignInOptions = {}): Promise<URL> {
  let url = new URL(authorizeUrl)
  const { origin } = url
  let response = await fetchWithCookies(url, jar)
  for (let hop = 0; hop < maxHops; hop++) {
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url)
      if (next.origin !== origin) return next
      url = next
      response = await fetchWithCookies(url, jar)
      continue
    }
    const body = await response.text()
    const picker = response.status === 200 ? parseAccountPicker(body) : undefined
    if (!picker) throw new Error(`sign-in stopped at ${url.href} with ${response.status}: ${body.slice(0, 500)}`)
    if (!account) throw new Error(`sign-in needs an account: the picker offers ${picker.accounts.join(', ')}`)
    url = new URL(picker.action, url)
    response = await fetchWithCookies(url, jar, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ account }).toString(),
    })
  }
  throw new Error(`sign-in did not leave the emulator within ${maxHops} hops`)
}
