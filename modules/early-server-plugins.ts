import { addServerPlugin, createResolver, defineNuxtModule } from '@nuxt/kit'

/**
 * Registers the server plugins in server/early/ ahead of every module's own (plugins in
 * server/plugins/ run after them): settings.ts validates the settings and derives the auth base
 * URL that @sidebase/nuxt-auth's start-up check needs; api-security-rules.ts must see each
 * request before nuxt-security does.
 */
export default defineNuxtModule({
  meta: { name: 'early-server-plugins' },
  setup() {
    const { resolve } = createResolver(import.meta.url)
    addServerPlugin(resolve('../server/early/settings'))
    addServerPlugin(resolve('../server/early/api-security-rules'))
  },
})
