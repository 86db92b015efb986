import { addServerPlugin, createResolver, defineNuxtModule } from '@nuxt/kit'

/**
 * Registers the server plugin that derives sidebase's auth base URL from AUTH_ORIGIN. It must run
 * before sidebase's own start-up check (which fails without that URL), so it is added by a module
 * listed before @sidebase/nuxt-auth instead of living in server/plugins/ (those run last).
 */
export default defineNuxtModule({
  meta: { name: 'auth-origin' },
  setup() {
    const { resolve } = createResolver(import.meta.url)
    addServerPlugin(resolve('../server/early/auth-origin'))
  },
})
