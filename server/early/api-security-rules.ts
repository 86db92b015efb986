import { createRouter, toRouteMatcher } from 'radix3'

type Rules = { headers?: Record<string, unknown> } & Record<string, unknown>

/**
 * nuxt-security works out each request's rules by cloning all of its options and building a
 * router, on every request: a third of a /api/health request's CPU in the benchmark's profiles.
 * The rules depend only on which route-rule patterns match the path, so for API routes the rules
 * nuxt-security worked out once are kept per set of matching patterns and handed to later
 * requests. Each request gets its own copy of the headers, the one part nuxt-security rewrites
 * (the CSP nonce, on page renders).
 *
 * Registered before nuxt-security's plugins (modules/early-server-plugins.ts), so its request hook
 * runs first.
 */
export default defineNitroPlugin((nitroApp) => {
  const patterns = ['/**', ...Object.keys(useRuntimeConfig().nitro?.routeRules ?? {})]
  const matcher = toRouteMatcher(createRouter({ routes: Object.fromEntries(patterns.map(pattern => [pattern, { pattern }])) }))
  const known = new Map<string, Rules>()
  const keyOf = (path: string) => (matcher.matchAll(path) as Array<{ pattern: string }>).map(m => m.pattern).sort().join('\n')
  const apiPath = (path: string) => path.startsWith('/api/') ? path.split('?')[0]! : undefined

  nitroApp.hooks.hook('request', (event) => {
    const path = apiPath(event.path)
    const rules = path && known.get(keyOf(path))
    if (!rules) return
    event.context.security = { ...event.context.security, rules: { ...rules, headers: rules.headers && { ...rules.headers } } }
  })
  nitroApp.hooks.hook('afterResponse', (event) => {
    const path = apiPath(event.path)
    const rules = event.context.security?.rules as Rules | undefined
    if (!path || !rules) return
    const key = keyOf(path)
    if (!known.has(key)) known.set(key, structuredClone(rules))
  })
})
