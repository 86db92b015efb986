import { consola } from 'consola'
import { startTurnService } from '../chat/turn'
import { startDocumentWorker } from '../documents/jobs'

// Bring the database up before the first request is served (settings: server/early/settings.ts).
export default defineNitroPlugin((nitroApp) => {
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
    async () => {
      if (migrateOnly) process.exit(0)
      // Stop and followers from any replica, and the sweep of turns whose replica died.
      await startTurnService({ singleProcess: !config.database.url }).catch((error: unknown) => {
        fatal(`Could not listen for chat turns on ${target}: ${(error as Error).message}`)
      })
      // Company documents are ingested by every replica; the shutdown drain stops it ('close').
      const stopDocumentWorker = startDocumentWorker({ singleProcess: !config.database.url })
      nitroApp.hooks.hook('close', stopDocumentWorker)
    },
    () => migrateOnly && fatal(`Gave up on ${target}; migrations not applied`),
  )
})
