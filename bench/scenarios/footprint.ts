// Footprint: the session cookie a browser carries, the JavaScript a first signed-in page load
// fetches (gzip), and the idle server's resident memory beside a bare Node process's.
import { spawn } from 'node:child_process'
import { gzipSync } from 'node:zlib'
import { settledRss, sleep, type BenchContext } from '../lib/context.ts'
import { rssOf } from '../lib/stack.ts'
import { bytes, ratio } from '../lib/stats.ts'

const KB = 1024

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of tag.matchAll(/([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    out[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? m[4] ?? '').replace(/&amp;/g, '&')
  }
  return out
}

/** The /_nuxt/ scripts a page's HTML loads: <script src> and <link rel="modulepreload">. */
export function initialScripts(html: string): string[] {
  const found = new Set<string>()
  for (const m of html.matchAll(/<script\b([^>]*)>/gi)) {
    const src = attributes(m[1]!).src
    if (src) found.add(src)
  }
  for (const m of html.matchAll(/<link\b([^>]*)>/gi)) {
    const a = attributes(m[1]!)
    if (a.rel?.split(/\s+/).includes('modulepreload') && a.href) found.add(a.href)
  }
  return [...found].filter(src => new URL(src, 'http://x').pathname.startsWith('/_nuxt/'))
}

/** Static `import … from "./x.js"` / `import "./x.js"` of an ES module (not dynamic import()). */
function staticImports(code: string): string[] {
  const out: string[] = []
  for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*["']([^"']+\.m?js)["']/g)) out.push(m[1]!)
  return out
}

/** A bare Node process's RSS on this machine: the floor any Node server starts from. */
async function bareNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  await sleep(1000)
  const rss = rssOf(child.pid!)
  child.kill('SIGKILL')
  return rss
}

export async function footprint(ctx: BenchContext): Promise<void> {
  const { app, client } = ctx
  // --- session cookie --------------------------------------------------------------------------
  const jar = client.cookies(app.url)
  const sessionCookies = [...jar].filter(([name]) => name.includes('session-token'))
  const sessionBytes = sessionCookies.reduce((sum, [k, v]) => sum + k.length + 1 + v.length, 0)
  const allCookieBytes = ctx.cookie.length
  ctx.log(`session cookie: ${sessionCookies.map(([k]) => k).join(', ')} = ${sessionBytes} bytes; whole Cookie header to the app ${allCookieBytes} bytes (${[...jar.keys()].join(', ')})`)
  ctx.rows.push({
    scenario: 'footprint',
    figure: 'session cookie',
    target: '< 4 KB',
    measured: `${sessionBytes} B`,
    baseline: `Cookie header ${allCookieBytes} B`,
    pass: sessionBytes > 0 && sessionBytes < 4 * KB,
    values: { sessionCookieBytes: sessionBytes, cookieHeaderBytes: allCookieBytes, cookies: [...jar.keys()] },
  })

  // --- initial page JavaScript -----------------------------------------------------------------
  const page = await client.fetch(`${app.url}/`)
  const html = await page.text()
  if (page.status !== 200) throw new Error(`GET / answered ${page.status} for a signed-in user`)
  const listed = initialScripts(html)
  const files = new Map<string, { raw: number, gzip: number, listed: boolean }>()
  const queue = listed.map(src => new URL(src, app.url).toString())
  while (queue.length) {
    const url = queue.shift()!
    if (files.has(url)) continue
    const response = await fetch(url)
    if (!response.ok) throw new Error(`${url} answered ${response.status}`)
    const code = Buffer.from(await response.arrayBuffer())
    files.set(url, { raw: code.length, gzip: gzipSync(code).length, listed: listed.some(s => new URL(s, app.url).toString() === url) })
    // A module the page's scripts import statically is fetched too, listed as modulepreload or not.
    for (const spec of staticImports(code.toString('utf8'))) queue.push(new URL(spec, url).toString())
  }
  const gzipTotal = [...files.values()].reduce((s, f) => s + f.gzip, 0)
  const rawTotal = [...files.values()].reduce((s, f) => s + f.raw, 0)
  const unlisted = [...files].filter(([, f]) => !f.listed).map(([u]) => new URL(u).pathname)
  const largest = [...files].sort((a, b) => b[1].gzip - a[1].gzip).slice(0, 5)
  ctx.log(`initial page JS: ${files.size} files (${listed.length} in the HTML), ${bytes(rawTotal)} raw, ${bytes(gzipTotal)} gzip; largest: ${largest.map(([u, f]) => `${new URL(u).pathname} ${bytes(f.gzip)}`).join(', ')}`)
  if (unlisted.length) ctx.log(`  imported but not preloaded: ${unlisted.join(', ')}`)
  ctx.rows.push({
    scenario: 'footprint',
    figure: 'initial page JS (gzip)',
    target: '< 200 KB',
    measured: bytes(gzipTotal),
    baseline: `${bytes(rawTotal)} raw, ${files.size} files`,
    pass: gzipTotal < 200 * KB,
    values: { gzipBytes: gzipTotal, rawBytes: rawTotal, files: Object.fromEntries([...files].map(([u, f]) => [new URL(u).pathname, f])) },
  })

  // --- idle RSS ---------------------------------------------------------------------------------
  const idle = await settledRss(app)
  const bare = await bareNodeRss()
  const memory = app.memory()
  ctx.log(`idle server RSS ${bytes(idle)} (anonymous ${bytes(memory.RssAnon ?? Number.NaN)}, file-backed ${bytes(memory.RssFile ?? Number.NaN)}, high-water mark ${bytes(memory.VmHWM ?? Number.NaN)}); a bare Node process ${bytes(bare)}`)
  ctx.rows.push({
    scenario: 'footprint',
    figure: 'idle server RSS',
    target: '< 150 MB',
    measured: bytes(idle),
    baseline: `bare node ${bytes(bare)}`,
    ratio: ratio(idle, bare),
    pass: idle < 150 * KB * KB,
    values: { idleRssBytes: idle, bareNodeRssBytes: bare, status: memory },
  })
}
