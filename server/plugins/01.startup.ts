import { consola } from 'consola'

// Bring the database up before the first request is served (settings: server/early/settings.ts).
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
  catch {
    return // reported by server/early/settings.ts
  }
  const target = describeDatabaseUrl(config.database.url, config.database.pgliteDataDir)
  consola.info(`Starting in ${config.appEnv} mode; database: ${target}`)
  // The Kubernetes migration Job runs the image with MIGRATE_ONLY=true: migrate, then exit.
  const migrateOnly = process.env.MIGRATE_ONLY === 'true'
  startDatabase(fatal, { maxAttempts: migrateOnly ? 10 : Infinity }).then(
    () => migrateOnly && process.exit(0),
    () => migrateOnly && fatal(`Gave up on ${target}; migrations not applied`),
  )
})
