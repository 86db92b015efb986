import type { AddressInfo } from 'node:net'
import { createEmulatorServer } from './server.ts'
import type { AzureOpenAIEmulator, AzureOpenAIEmulatorOptions } from './types.ts'

export type { AzureOpenAIEmulator, AzureOpenAIEmulatorOptions, RecordedRequest } from './types.ts'

export async function startAzureOpenAIEmulator(options: AzureOpenAIEmulatorOptions = {}): Promise<AzureOpenAIEmulator> {
  const host = options.host ?? '127.0.0.1'
  const server = createEmulatorServer(options)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const urlHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${urlHost}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close(err => (err ? reject(err) : resolve()))
        // Hanging and idle keep-alive streams would otherwise hold close() open forever.
        server.closeAllConnections()
      }),
  }
}
