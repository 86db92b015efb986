import { sql } from 'drizzle-orm'
import { DocumentRejectedError, failDocument, ingestDocument } from './ingest'

const logger = taggedLogger('documents')

// A job is leased while a replica works on it and the lease is renewed meanwhile; a replica that
// dies stops renewing, and the job is taken again once the lease has run out.
const LEASE_SECONDS = 30
const RENEW_MS = 10_000
const POLL_MS = 5_000
const MAX_ATTEMPTS = 5

/** Takes the next due job no other replica holds (FOR UPDATE SKIP LOCKED), leasing it. */
async function claimJob(): Promise<{ documentId: string, attempts: number } | undefined> {
  const rows = await rowsOf<{ document_id: string, attempts: number }>(useDb().execute(sql`
    UPDATE document_jobs SET leased_until = now() + make_interval(secs => ${LEASE_SECONDS}), attempts = attempts + 1
    WHERE document_id = (
      SELECT document_id FROM document_jobs
      WHERE run_after <= now() AND (leased_until IS NULL OR leased_until < now())
      ORDER BY run_after
      FOR UPDATE SKIP LOCKED
      LIMIT 1)
    RETURNING document_id, attempts`))
  const row = rows[0]
  return row && { documentId: row.document_id, attempts: Number(row.attempts) }
}

async function runJob(job: { documentId: string, attempts: number }, signal: AbortSignal) {
  const renew = setInterval(() => {
    useDb().execute(sql`UPDATE document_jobs SET leased_until = now() + make_interval(secs => ${LEASE_SECONDS}) WHERE document_id = ${job.documentId}`)
      .catch(() => {})
  }, RENEW_MS)
  try {
    await ingestDocument(job.documentId, signal)
  }
  catch (error) {
    if (signal.aborted) {
      // Shutting down: give the job back at once so another replica (or this one, restarted) goes on.
      await useDb().execute(sql`UPDATE document_jobs SET leased_until = NULL, attempts = attempts - 1 WHERE document_id = ${job.documentId}`).catch(() => {})
      return
    }
    if (error instanceof DocumentRejectedError) return failDocument(job.documentId, error.message)
    const reason = (error as Error).message
    if (job.attempts >= MAX_ATTEMPTS) {
      logger.error(`Document ${job.documentId} failed after ${job.attempts} attempts: ${reason}`)
      return failDocument(job.documentId, 'The document could not be indexed: the embedding service kept failing. Upload it again later.')
    }
    const delaySeconds = 5 * 2 ** job.attempts
    logger.warn(`Document ${job.documentId}: attempt ${job.attempts} failed (${reason}); trying again in ${delaySeconds}s`)
    await useDb().execute(sql`UPDATE document_jobs SET leased_until = NULL, run_after = now() + make_interval(secs => ${delaySeconds}) WHERE document_id = ${job.documentId}`)
  }
  finally {
    clearInterval(renew)
  }
}

/**
 * The ingestion worker of this replica: drains due jobs one at a time, then waits for a NOTIFY
 * from a new upload (any replica) or the next poll. Returns a stop function that aborts the
 * document in hand (its job is handed back) and resolves once the worker has stopped.
 */
export function startDocumentWorker(options: { singleProcess: boolean }): () => Promise<void> {
  const stopping = new AbortController()
  // PGlite belongs to this one process: a lease still held can only be a previous run's.
  const released = options.singleProcess
    ? useDb().execute(sql`UPDATE document_jobs SET leased_until = NULL WHERE leased_until IS NOT NULL`).catch(() => {})
    : Promise.resolve()
  let wake: (() => void) | undefined
  let unlisten: (() => Promise<void>) | undefined
  listenToDb('document_jobs', () => wake?.()).then((stop) => {
    unlisten = stop
  }, (error: unknown) => logger.warn(`No wake-ups for new documents (${(error as Error).message}); polling every ${POLL_MS / 1000}s`))

  const loop = (async () => {
    await released
    while (!stopping.signal.aborted) {
      try {
        const job = await claimJob()
        if (job) {
          await runJob(job, stopping.signal)
          continue
        }
      }
      catch (error) {
        logger.warn(`Document worker: ${(error as Error).message}`)
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
        stopping.signal.addEventListener('abort', wake, { once: true })
      })
      wake = undefined
    }
  })()

  return async () => {
    stopping.abort()
    await loop
    await unlisten?.().catch(() => {})
  }
}
