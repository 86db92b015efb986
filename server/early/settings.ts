import { consola } from 'consola'

/**
 * Runs before every other server plugin (see modules/early-settings.ts): a production server with
 * a missing or unsafe setting stops here, naming every problem, before any module trips over it.
 *
 * Then, from our AUTH_ORIGIN (the bare public origin), derives what the auth libraries read:
 * sidebase wants the full auth base URL under its originEnvKey (nuxt.config.ts) and loops on
 * /session given the bare origin; next-auth 4.24 takes its origin only from NEXTAUTH_URL.
 */
export default defineNitroPlugin(() => {
  let config
  try {
    config = useServerConfig()
  }
  catch (error) {
    consola.error(error instanceof ConfigError ? error.message : String(error))
    // In development the dev server stays up for the fix; elsewhere the orchestrator must notice.
    if (process.env.NODE_ENV === 'production') process.exit(1)
    return
  }
  // Outside production an unset AUTH_ORIGIN means this machine (production requires it).
  const origin = process.env.AUTH_ORIGIN?.trim().replace(/\/+$/, '')
    || (config.appEnv === 'production' ? undefined : `http://localhost:${process.env.PORT || 3000}`)
  if (!origin) return
  process.env.AUTH_BASE_URL_DERIVED = `${origin}/api/auth`
  process.env.NEXTAUTH_URL = `${origin}/api/auth`
})
