const logger = taggedLogger('server')

/**
 * A server that cannot listen (the port is taken, or not ours to bind) exits at once with 1.
 * Nitro's entry reports the socket's error as an uncaught exception, which it only logs: the
 * process would stay up, healthy to its supervisor, without a socket.
 */
export default defineNitroPlugin(() => {
  if (import.meta.dev) return
  process.on('uncaughtException', (error: NodeJS.ErrnoException & { address?: string, port?: number }) => {
    if (error.syscall !== 'listen') return
    logger.error({ code: error.code, address: error.address, port: error.port }, `Cannot listen: ${error.message}`)
    process.exit(1)
  })
})
