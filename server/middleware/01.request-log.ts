import { randomUUID } from 'node:crypto'

const logger = taggedLogger('http')
const validId = /^[\w.:-]{8,128}$/

/**
 * Gives every request an id (kept from the ingress' X-Request-Id when it looks sane, so one id
 * follows the request through the stack), returns it as a header, and logs one line per request
 * when it ends: route, status, duration and our user id, never names, emails, bodies or cookies.
 */
export default defineEventHandler((event) => {
  const incoming = getHeader(event, 'x-request-id')
  const requestId = incoming && validId.test(incoming) ? incoming : randomUUID()
  event.context.requestId = requestId
  setResponseHeader(event, 'X-Request-Id', requestId)
  const started = performance.now()
  const path = event.path.split('?')[0]
  if (path === '/api/health' || path === '/api/ready' || path.startsWith('/_nuxt/')) return
  event.node.res.once('close', () => {
    const user = event.context.user as { id?: string } | undefined
    logger.info({
      requestId,
      method: event.method,
      route: path,
      status: event.node.res.statusCode,
      durationMs: Math.round(performance.now() - started),
      ...(user?.id ? { userId: user.id } : {}),
    }, `${event.method} ${path} ${event.node.res.statusCode}`)
  })
})
