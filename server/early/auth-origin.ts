// Our AUTH_ORIGIN is the bare public origin. sidebase wants the full auth base URL under the name
// configured as its originEnvKey (see nuxt.config.ts) and loops on /session given the bare origin;
// next-auth 4.24 takes its own origin only from NEXTAUTH_URL. Both are derived here, before any
// other server plugin runs.
export default defineNitroPlugin(() => {
  const origin = process.env.AUTH_ORIGIN?.trim().replace(/\/+$/, '')
  if (!origin) return
  process.env.AUTH_BASE_URL_DERIVED = `${origin}/api/auth`
  process.env.NEXTAUTH_URL = `${origin}/api/auth`
})
