import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

// Azure stamps every answer, errors included, with these ids; operators quote them to support,
// so the app is expected to log them and tests can check it does.
export function azureHeaders(deployment?: string | null): Record<string, string> {
  const requestId = randomUUID()
  return {
    'apim-request-id': requestId,
    'x-request-id': requestId,
    'x-ms-region': 'Emulator',
    ...(deployment ? { 'x-ms-deployment-name': deployment } : {}),
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  })
  res.end(text)
}
