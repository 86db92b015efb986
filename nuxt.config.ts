// https://nuxt.com/docs/api/configuration/nuxt-config
export default defineNuxtConfig({
  compatibilityDate: '2025-07-15',
  devtools: { enabled: false },
  modules: ['@nuxt/ui', '@nuxt/eslint'],
  css: ['~/assets/css/main.css'],
  typescript: { strict: true },
  // Server settings are read from the documented environment variables by
  // server/utils/config.ts (validated with zod at start-up), not baked in at build time.
  runtimeConfig: {},
  nitro: {
    // drizzle-kit's migrations ship inside .output and are applied at start-up.
    serverAssets: [{ baseName: 'migrations', dir: '../drizzle' }],
  },
  eslint: { config: { stylistic: true } },
})
