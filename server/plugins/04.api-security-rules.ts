import type { H3Event } from 'h3'
import { createRouter, toRouteMatcher } from 'radix3'

type Rules = Record<string, unknown>

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

/**
 * nuxt-security works out each request's rules by cloning all of its options and building a
 * router, on every request: the figure that pays for this adapter is `npm run bench`'s
 * authenticated API row (GET /api/chats against GET /api/health), and tests/server/production.test.ts
 * pins it to nuxt-security's own headers and request limits.
 * The rules depend only on which route-rule patterns match the path, so for API routes the rules
 * it worked out once are kept per set of matching patterns and handed to later requests.
 *
 * Each request gets its own copy of `headers`, the one part nuxt-security replaces (the CSP with
 * its nonce, on page renders); the kept rules are frozen, so an edit in place would fail loudly
 * instead of reaching another request. The patterns are nitro's route rules: we add no routes
 * through nuxt-security's own hooks. nuxt-security moves its plugins after every other, so this
 * request hook runs before its own.
 */
export default defineNitroPlugin((nitroApp) => {
  const patterns = ['/**', ...Object.keys(useRuntimeConfig().nitro?.routeRules ?? {})]
  const matcher = toRouteMatcher(createRouter({ routes: Object.fromEntries(patterns.map(pattern => [pattern, { pattern }])) }))
  const known = new Map<string, Rules>()
  const apiKey = (path: string) => path.startsWith('/api/')
    ? (matcher.matchAll(path.split('?')[0]!) as Array<{ pattern: string }>).map(m => m.pattern).sort().join('\n')
    : undefined

  // Registered at the first request, so it runs after nuxt-security's request hook and keeps the
  // rules as it worked them out, before any handler or render hook has seen them.
  const keep = (event: H3Event) => {
    const key = apiKey(event.path)
    const rules = (event.context.security as { rules?: Rules } | undefined)?.rules
    if (key && rules && !known.has(key)) known.set(key, deepFreeze(structuredClone(rules)))
  }
  let keeping = false
  nitroApp.hooks.hook('request', (event) => {
    if (!keeping) {
      keeping = true
      nitroApp.hooks.hook('request', keep)
    }
    const key = apiKey(event.path)
    const rules = key && known.get(key)
    if (!rules) return
    const headers = rules.headers as Rules | undefined
    event.context.security = { ...event.context.security, rules: { ...rules, headers: headers && { ...headers } } }
  })
})
