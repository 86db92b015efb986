import { addServerPlugin, createResolver, defineNuxtModule } from '@nuxt/kit'

/**
 * Registers server/early/settings.ts ahead of every module's server plugin: it validates the
 * settings and derives the auth base URL that @sidebase/nuxt-auth's own start-up check needs.
 * Plugins in server/plugins/ would run after sidebase's, too late for both. The log format comes
 * first, so that the settings' refusal is written like every other line.
 */
export default defineNuxtModule({
  meta: { name: 'early-settings' },
  setup() {
    const { resolve } = createResolver(import.meta.url)
    addServerPlugin(resolve('../server/early/logging'))
    addServerPlugin(resolve('../server/early/settings'))
  },
})
