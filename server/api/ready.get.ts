import { sql } from 'drizzle-orm'

// Readiness: the database answers and the migrations are applied.
export default defineEventHandler(async (event) => {
  setResponseHeader(event, 'Cache-Control', 'no-store')
  const notReady = (reason: string) => {
    setResponseStatus(event, 503)
    return { status: 'unavailable', reason }
  }
  if (isShuttingDown()) return notReady('The server is shutting down')
  const state = databaseState()
  if (state.status !== 'ready') {
    return notReady(state.status === 'starting' ? 'Database migrations are not applied yet' : state.reason)
  }
  try {
    await withTimeout(useDb().execute(sql`SELECT 1`), 2_000)
  }
  catch {
    return notReady(`${describeDatabaseUrl(useServerConfig().database.url)} is not answering`)
  }
  return { status: 'ready' }
})
