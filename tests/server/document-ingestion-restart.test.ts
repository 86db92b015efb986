import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RecordedRequest } from '../../emulators/azure-openai/index.ts'
import type { HttpClient } from '../support/http-client'
import { createTestDatabase } from '../support/database'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

// The ingestion queue lives in the database: a server killed in the middle of a document leaves
// its job behind, and the next server (here: the one started after it) finishes it.
describe.each(['pglite', 'postgres'] as const)('ingestion survives a killed server on %s', (kind) => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ db: await createTestDatabase({ kind }), servers: 2 })
  }, 120_000)
  afterAll(async () => {
    await stack?.stop()
  })

  const documentOf = async (client: HttpClient, url: string, id: string) => (await api(client, `${url}/api/documents/${id}`)).json

  it('resumes a document whose server was killed while embedding it', async () => {
    const first = stack.app
    const megan = (await signIn(first, accounts.megan)).client
    const form = new FormData()
    // The emulator takes 4 s over this document's embeddings: time enough to kill the server.
    form.set('file', new Blob(['# Restart drill\n\nThe restart drill is held every spring. [[emulator:delay=4000]]\n']), 'drill.md')
    const uploaded = await api(megan, `${first.url}/api/documents`, { method: 'POST', body: form, headers: { origin: first.url } })
    expect(uploaded.status).toBe(202)
    const id = uploaded.json.id as string
    for (let i = 0; (await documentOf(megan, first.url, id)).status !== 'indexing'; i++) {
      expect(i).toBeLessThan(100)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    await first.stop('SIGKILL')

    const second = await stack.startApp({}, { sameDatabaseAs: first })
    const again = (await signIn(second, accounts.megan)).client
    let document = await documentOf(again, second.url, id)
    for (const deadline = Date.now() + 90_000; document.status !== 'ready' && document.status !== 'failed';) {
      expect(Date.now()).toBeLessThan(deadline)
      await new Promise(resolve => setTimeout(resolve, 250))
      document = await documentOf(again, second.url, id)
    }
    expect(document).toMatchObject({ status: 'ready', error: null })
    expect(document.chunks).toBe(1)
    const calls = (await (await fetch(`${stack.openai.url}/_emulator/requests`)).json() as RecordedRequest[]).filter(r => r.path.endsWith('/embeddings'))
    // The killed server's call, then the second server's.
    expect(calls.length).toBeGreaterThanOrEqual(2)
  }, 150_000)
})
