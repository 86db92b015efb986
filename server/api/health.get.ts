// Liveness: the process answers. Deliberately touches nothing else, so a database outage never
// makes Kubernetes restart healthy pods.
export default defineEventHandler((event) => {
  setResponseHeader(event, 'Cache-Control', 'no-store')
  return { status: 'ok' }
})
