// The peer baseline: a bare node:http chat endpoint that does only what the AI SDK docs and the
// Nuxt UI chat template do (no sign-in, no database, no limits, no stored answer): parse the
// UI-message body, streamText against the same Azure OpenAI deployment the app uses (same
// packages, same Responses API, same key and baseURL), and pipe the SDK's UI message stream to
// the response. The bench starts it as its own process with the app's Node and NODE_OPTIONS, so
// its TTFT, CPU, memory and throughput compare with the app's like for like.
//
//   PEER_PORT, PEER_HOST                      where to listen (port 0: any; the URL is printed)
//   AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, AZURE_OPENAI_DEPLOYMENT, AZURE_OPENAI_API
//
// POST any path with `{ message: UIMessage }` (what the app's chat route gets) or
// `{ messages: UIMessage[] }` (the template's body). GET /health answers 200. Prints
// `peer listening on http://…` once listening.
import { createAzure } from '@ai-sdk/azure'
import { convertToModelMessages, pipeUIMessageStreamToResponse, streamText, toUIMessageStream, type UIMessage } from 'ai'
import http from 'node:http'

const endpoint = (process.env.AZURE_OPENAI_ENDPOINT ?? '').replace(/\/+$/, '')
if (!endpoint) throw new Error('AZURE_OPENAI_ENDPOINT is required')
const deployment = process.env.AZURE_OPENAI_DEPLOYMENT ?? 'gpt-4o-mini'
// The app's server/utils/ai.ts without an API version: `${endpoint}/openai/v1`, key auth.
const azure = createAzure({ baseURL: `${endpoint}/openai/v1`, apiKey: process.env.AZURE_OPENAI_API_KEY })
const model = process.env.AZURE_OPENAI_API === 'chat' ? azure.chat(deployment) : azure.responses(deployment)

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

const server = http.createServer(async (req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'text/plain' }).end(req.url === '/health' ? 'ok' : 'not found')
    return
  }
  let messages: UIMessage[]
  try {
    const body = await readJson(req) as { message?: UIMessage, messages?: UIMessage[] }
    messages = body.messages ?? (body.message ? [body.message] : [])
    if (!messages.length) throw new Error('no messages')
  }
  catch (error) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end(`Bad Request: ${(error as Error).message}`)
    return
  }
  const result = streamText({
    model,
    system: 'You are a helpful assistant.',
    messages: await convertToModelMessages(messages),
  })
  await pipeUIMessageStreamToResponse({ response: res, stream: toUIMessageStream({ stream: result.stream }) })
})

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close()
    server.closeAllConnections()
    process.exit(0)
  })
}

server.listen(Number(process.env.PEER_PORT ?? 0), process.env.PEER_HOST ?? '127.0.0.1', () => {
  const address = server.address() as { address: string, port: number }
  console.log(`peer listening on http://${address.address}:${address.port}`)
})
