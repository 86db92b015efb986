import { cutRunningTurns, runningTurns } from '../chat/turn'

const logger = taggedLogger('shutdown')

/**
 * Kubernetes sends SIGTERM, then SIGKILL after terminationGracePeriodSeconds. On SIGTERM:
 * readiness turns 503 at once (the ingress stops routing here), no new chat starts, open answers
 * get SHUTDOWN_GRACE_SECONDS to finish, answers still running are cut and stored as `interrupted`,
 * then the process exits 0. Nitro's own handler would just wait for sockets, so it is turned off.
 */
export default defineNitroPlugin((nitroApp) => {
  process.env.NITRO_SHUTDOWN_DISABLED = 'true'
  let exiting = false

  const drain = async (signal: string) => {
    if (exiting) return
    exiting = true
    markShuttingDown()
    const graceMs = useServerConfig().shutdownGraceSeconds * 1000
    logger.info(`${signal}: not ready any more; ${runningTurns().count} open answer(s) get ${graceMs / 1000}s to finish`)
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([runningTurns().stored, new Promise(resolve => timer = setTimeout(resolve, graceMs))])
    clearTimeout(timer)
    const cut = cutRunningTurns()
    await Promise.race([runningTurns().stored, new Promise(resolve => setTimeout(resolve, 3_000))])
    if (cut) logger.warn(`Cut ${cut} answer(s) at the end of the grace period; stored as interrupted`)
    await nitroApp.hooks.callHook('close').catch(() => {})
    await closeDb().catch(() => {})
    logger.info('Drained; exiting')
    process.exit(0)
  }

  process.once('SIGTERM', () => void drain('SIGTERM'))
  process.once('SIGINT', () => void drain('SIGINT'))
})
