import type { H3Error } from 'h3'

/**
 * A database outage is a 503 with a sentence people understand, not a 500: the error hook runs
 * before Nitro's error handler renders the response, so the status and message are set here.
 */
export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('error', (error, { event }) => {
    const h3 = error as H3Error
    if (!event || (h3.statusCode && h3.statusCode < 500) || !isDatabaseUnavailable(h3.cause ?? error)) return
    h3.statusCode = 503
    h3.statusMessage = 'Service Unavailable'
    h3.message = say('database.unavailable', undefined, event)
    h3.unhandled = false
    if (!event.node.res.headersSent) setResponseHeader(event, 'Retry-After', 5)
  })
})
