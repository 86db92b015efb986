/**
 * A tiny browser stand-in for Nitro tests: a cookie jar per host and manual redirects, so tests can
 * walk the real sign-in redirect chain between the app and the Entra emulator over HTTP.
 */
export class HttpClient {
  readonly jar = new Map<string, Map<string, string>>()

  cookies(url: string): Map<string, string> {
    const host = new URL(url).host
    if (!this.jar.has(host)) this.jar.set(host, new Map())
    return this.jar.get(host)!
  }

  setCookie(url: string, name: string, value: string) {
    this.cookies(url).set(name, value)
  }

  private store(url: string, response: Response) {
    const jar = this.cookies(url)
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = value === '' || attributes.some((attribute) => {
        const [key = '', val = ''] = attribute.split('=').map(part => part.trim().toLowerCase())
        return (key === 'max-age' && Number(val) <= 0) || (key === 'expires' && Date.parse(val) <= Date.now())
      })
      if (expired) jar.delete(name)
      else jar.set(name, value)
    }
  }

  /** One request, no redirect following, cookies sent and stored. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    const jar = this.cookies(url)
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    const response = await fetch(url, { ...init, headers, redirect: 'manual' })
    this.store(url, response)
    return response
  }

  /** Follows redirects like a browser; returns the last response and every URL visited. */
  async follow(url: string, init: RequestInit = {}): Promise<{ response: Response, url: string, chain: string[] }> {
    const chain = [url]
    let response = await this.fetch(url, init)
    let current = url
    for (let hops = 0; response.status >= 300 && response.status < 400 && hops < 15; hops++) {
      current = new URL(response.headers.get('location')!, current).toString()
      chain.push(current)
      response = await this.fetch(current)
    }
    return { response, url: current, chain }
  }
}

export { parseAccountPicker } from '../../emulators/entra/testing.ts'
