// https://nuxt.com/docs/api/configuration/nuxt-config
import { LOCALE_COOKIE, LOCALES } from './shared/locales'

// One file per part of the app and language (i18n/locales/<code>/<part>.json).
const MESSAGE_FILES = ['common', 'chat', 'documents', 'assistants', 'admin', 'share']

export default defineNuxtConfig({
  modules: ['./modules/dev-emulators', './modules/early-settings', '@nuxt/ui', '@nuxt/eslint', '@sidebase/nuxt-auth', 'nuxt-security', '@nuxtjs/i18n'],
  // The server runs without --enable-source-maps, so a production build's maps would only ship
  // paths and mappings nobody reads (2.3 MB of the image, tests/deploy/image.test.ts); dev keeps them.
  $production: { sourcemap: { server: false, client: false } },
  devtools: { enabled: false },
  css: ['~/assets/css/main.css'],
  // No web fonts from Google & co.: this runs on closed networks, and a bank's CSP forbids them.
  ui: { fonts: false },
  // Server settings are read from the documented environment variables by
  // server/utils/config.ts (validated with zod at start-up), not baked in at build time.
  runtimeConfig: {},
  compatibilityDate: '2025-07-15',
  nitro: {
    // asyncContext: the audit log reads the client IP, user agent and request id of the current
    // request also inside next-auth's callbacks, which get no h3 event.
    experimental: { tasks: true, asyncContext: true },
    // Retention (server/tasks/retention.ts); every replica fires, one takes the lock.
    scheduledTasks: { '0 3 * * *': ['retention'] },
    // API answers carry no scripts of ours that a nonce would allow (JSON, streams, next-auth's own
    // plain pages): a nonce there is CPU spent on every request for nothing (getRandomValues showed
    // in the benchmark's profiles).
    routeRules: {
      '/api/**': { security: { nonce: false } },
      // Uploads are limited by DOCUMENT_MAX_MB in the route itself, with a sentence naming the limit.
      '/api/documents': { security: { nonce: false, requestSizeLimiter: false } },
    },
    // The hoisted @nuxt/schema 4 types only a fallback subset of Nitro's options here.
  } as Record<string, unknown>,
  vite: {
    // Pre-bundled at dev start, not discovered on first use: a dependency found late (the lazily
    // loaded markdown renderer, the chat SDK, the usage charts) makes Vite answer 504 "Outdated
    // Optimize Dep" for modules already requested and reload the page mid-answer.
    optimizeDeps: {
      include: [
        'markdown-it',
        'highlight.js/lib/core',
        ...['bash', 'csharp', 'css', 'diff', 'java', 'javascript', 'json', 'plaintext', 'powershell', 'python', 'sql', 'typescript', 'xml', 'yaml'].map(l => `highlight.js/lib/languages/${l}`),
        '@ai-sdk/vue',
        'ai',
        'chart.js',
        'vue-chartjs',
      ],
    },
  },
  typescript: {
    strict: true,
    // The emulators are plain TypeScript that Node 24 runs directly, so they import with `.ts`.
    tsConfig: { compilerOptions: { allowImportingTsExtensions: true } },
  },
  hooks: {
    'nitro:config'(config) {
      // drizzle-kit's migrations ship inside .output and are applied at start-up.
      const nitro = config as { serverAssets?: Array<{ baseName: string, dir: string }> }
      nitro.serverAssets = [...(nitro.serverAssets ?? []), { baseName: 'migrations', dir: '../drizzle' }]
    },
  },
  auth: {
    // sidebase reads this variable as the *full* auth base URL (origin + /api/auth). Our setting,
    // AUTH_ORIGIN, is the bare origin; the server derives this one from it at start-up
    // (server/early/settings.ts). Passing AUTH_ORIGIN through makes sidebase loop.
    originEnvKey: 'AUTH_BASE_URL_DERIVED',
    baseURL: '/api/auth',
    provider: { type: 'authjs', defaultProvider: 'azure-ad', addDefaultCallbackUrl: true },
    // Our own middleware/auth.global.ts sends people straight to Entra; sidebase's would show
    // next-auth's provider list.
    globalAppMiddleware: false,
    sessionRefresh: { enableOnWindowFocus: true, enablePeriodically: false },
  },
  eslint: { config: { stylistic: true } },
  i18n: {
    // Addresses stay the same in every language: a chat's link works for a colleague who reads
    // the app in another one. The choice is a cookie the server also reads for its error sentences
    // (server/utils/i18n.ts), and is kept in the user's profile (composables/useLanguage.ts).
    strategy: 'no_prefix',
    defaultLocale: 'en',
    locales: LOCALES.map(l => ({ ...l, files: MESSAGE_FILES.map(f => `${l.code}/${f}.json`) })),
    // Only the reader's language is downloaded.
    lazy: true,
    // A language, not a credential: also readable over plain http on a laptop.
    detectBrowserLanguage: { useCookie: true, cookieKey: LOCALE_COOKIE, fallbackLocale: 'en' },
    vueI18n: './i18n.config.ts',
    // The locale files are compiled at build time, so the browser needs no message compiler.
    bundle: { optimizeTranslationDirective: false, dropMessageCompiler: true },
  },
  // Icons come from the installed @iconify-json collection only, never from api.iconify.design:
  // the ones the code uses are bundled into the client, the collection into the server build
  // (the package itself is a devDependency and not in .output).
  icon: { fallbackToApi: false, clientBundle: { scan: true, sizeLimitKb: 256 }, serverBundle: { collections: ['lucide'] } },
  security: {
    nonce: true,
    headers: {
      // Only what the app needs: our own scripts (nonce + strict-dynamic), Vue's inline styles,
      // images from us or data: URIs (initials avatars), API calls to ourselves. No third party.
      contentSecurityPolicy: {
        'default-src': ['\'self\''],
        'script-src': ['\'self\'', '\'nonce-{{nonce}}\'', '\'strict-dynamic\''],
        'style-src': ['\'self\'', '\'unsafe-inline\''],
        'img-src': ['\'self\'', 'data:'],
        'font-src': ['\'self\''],
        'connect-src': ['\'self\''],
        'object-src': ['\'none\''],
        'base-uri': ['\'none\''],
        'form-action': ['\'self\''],
        'frame-ancestors': ['\'none\''],
        'upgrade-insecure-requests': false,
      },
      strictTransportSecurity: { maxAge: 31_536_000, includeSubdomains: true },
      referrerPolicy: 'strict-origin-when-cross-origin',
      xContentTypeOptions: 'nosniff',
      xFrameOptions: 'DENY',
      crossOriginEmbedderPolicy: false,
    },
    // Our own limits are counted in PostgreSQL across replicas (server/utils/limits.ts).
    rateLimiter: false,
    // Chat messages legitimately contain HTML and code; they are stored as text and rendered escaped.
    xssValidator: false,
    requestSizeLimiter: { maxRequestSizeInBytes: 1_000_000, maxUploadFileRequestInBytes: 1_000_000 },
    corsHandler: false,
  },
})
