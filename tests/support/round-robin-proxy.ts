import { createServer, request, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RoundRobinProxy {
  /** The one origin clients see, like an ingress in front of the replicas. */
  url: string
  port: number
  /** The replicas' origins; requests go to each in turn. Set them once the replicas are up. */
  upstreams: string[]
  /** Which upstream served each request, in order: `GET /api/health -> http://127.0.0.1:1234`. */
  log: Array<{ method: string, path: string, upstream: string }>
  close(): Promise<void>
}

/**
 * A reverse proxy with no sticky sessions: every request goes to the next replica, so a chat's
 * requests (send, stop, follow) land on different replicas as they would behind an ingress.
 * Streams are piped through unbuffered, as the Ingress's `proxy-buffering: off` does.
 */
export async function startRoundRobinProxy(upstreams: string[] = []): Promise<RoundRobinProxy> {
  let next = 0
  const proxy: RoundRobinProxy = { url: '', port: 0, upstreams, log: [], close: async () => {} }
  const server: Server = createServer((incoming, outgoing) => {
    if (!proxy.upstreams.length) {
      outgoing.writeHead(502).end('No replica behind the proxy.')
      return
    }
    const upstream = proxy.upstreams[next++ % proxy.upstreams.length]!
    proxy.log.push({ method: incoming.method ?? 'GET', path: incoming.url ?? '/', upstream })
    const target = new URL(incoming.url ?? '/', upstream)
    // The Host header stays the proxy's: the app builds its links from AUTH_ORIGIN, the proxy's.
    const forward = request(target, { method: incoming.method, headers: incoming.headers }, (response: IncomingMessage) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers)
      outgoing.flushHeaders()
      response.pipe(outgoing)
    })
    forward.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502).end('The replica did not answer.')
      else outgoing.destroy()
    })
    // A client that goes away (a stopped stream) is passed on to the replica.
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) forward.destroy()
    })
    incoming.pipe(forward)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  proxy.port = (server.address() as AddressInfo).port
  proxy.url = `http://127.0.0.1:${proxy.port}`
  proxy.close = () => new Promise((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })
  return proxy
}
