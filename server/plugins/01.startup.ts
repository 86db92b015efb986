import { consola } from 'consola'

// Validate settings and bring the database up before the first request is served.
export default defineNitroPlugin(() => {
  const fatal = (message: string) => {
    consola.error(message)
    // In production a process that cannot do its job must stop so the orchestrator notices;
    // in development the message is enough and the dev server stays up for the fix.
    if (process.env.NODE_ENV === 'production') process.exit(1)
  }
  let config
  try {
    config = useServerConfig()
  }
  catch (error) {
    fatal(error instanceof ConfigError ? error.message : String(error))
    return
  }
  consola.info(`Starting in ${config.appEnv} mode; database: ${describeDatabaseUrl(config.database.url, config.database.pgliteDataDir)}`)
  startDatabase(fatal).catch(() => {})
})
