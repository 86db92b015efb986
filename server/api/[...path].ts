/**
 * Any /api path no route serves: a JSON 404 for the script or page that asked. Without it the
 * request would fall through to the pages, whose sign-in redirect is no answer for an API call.
 */
export default defineEventHandler((event) => {
  throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('api.noRoute', { method: event.method, path: event.path.split('?')[0]! }, event) })
})
