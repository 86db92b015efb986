import { createServer } from 'node:net'

/** `count` distinct free ports (held open together, so no port is handed out twice). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => resolve(server))
    server.on('error', reject)
  })))
  const ports = servers.map(s => (s.address() as { port: number }).port)
  await Promise.all(servers.map(s => new Promise(resolve => s.close(resolve))))
  return ports
}
