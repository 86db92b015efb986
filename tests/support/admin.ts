import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { signIn as emulatorSignIn } from '../../emulators/entra/testing.ts'
import type { HttpClient } from './http-client'
import { sendChat, userMessage } from './chat-client'
import { backdateChats } from './seed'
import { api, CLIENT_ID, CLIENT_SECRET, signIn, type Stack } from './stack'

/** A real Entra access token for this app, as a script gets one (authorization code + PKCE). */
export async function accessTokenFor(stack: Stack, account: { oid: string, tid: string }): Promise<string> {
  const verifier = randomBytes(32).toString('base64url')
  const authorize = new URL(`${stack.entra.authorityHost}/${account.tid}/oauth2/v2.0/authorize`)
  const redirectUri = `${stack.app.url}/api/auth/callback/azure-ad`
  authorize.search = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: `openid offline_access ${CLIENT_ID}/access_as_user`,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: 'state',
    nonce: 'nonce',
  }).toString()
  const back = await emulatorSignIn(authorize, { account: account.oid })
  const response = await fetch(`${stack.entra.authorityHost}/${account.tid}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: redirectUri, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code_verifier: verifier }),
  })
  return ((await response.json()) as { access_token: string }).access_token
}

export interface Person { client: HttpClient, id: string }

/** Signs the account in through the real redirect chain and returns its client and our user id. */
export async function person(stack: Stack, account: { oid: string }): Promise<Person> {
  const { client } = await signIn(stack.app, account)
  const me = await api(client, `${stack.app.url}/api/me`)
  if (me.status !== 200) throw new Error(`/api/me answered ${me.status} after sign-in`)
  return { client, id: me.json.id as string }
}

/** A call with the Origin header that state-changing calls need. */
export function call(stack: Stack, client: HttpClient, path: string, init: RequestInit & { json?: unknown } = {}) {
  return api(client, `${stack.app.url}${path}`, { ...init, headers: { origin: stack.app.url, ...init.headers as Record<string, string> } })
}

/** Starts a chat with one message and waits for the whole answer. */
export async function chatOnce(stack: Stack, client: HttpClient, text: string, chatId: string = randomUUID()) {
  const result = await sendChat(client, stack.app.url, chatId, { message: userMessage(text) })
  return { chatId, ...result }
}

/** Moves a chat and its messages `days` into the past, straight in the database. */
export async function backdateChat(stack: Stack, chatId: string, days: number) {
  await backdateChats(stack, [{ chatId, days }])
}

export interface AuditEntry {
  id: number
  createdAt: string
  actorId: string | null
  actorName: string | null
  action: string
  targetType: string | null
  targetId: string | null
  outcome: string
  reason: string | null
  ip: string | null
  userAgent: string | null
  requestId: string | null
  details: Record<string, unknown> | null
}

/** Every audit entry matching the filters, newest first, through the admin API. */
export async function auditEntries(stack: Stack, admin: HttpClient, filters: Record<string, string> = {}): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = []
  let cursor: string | null = null
  do {
    const query: URLSearchParams = new URLSearchParams({ ...filters, limit: '200', ...(cursor ? { cursor } : {}) })
    const page = await api(admin, `${stack.app.url}/api/admin/audit?${query}`)
    if (page.status !== 200) throw new Error(`/api/admin/audit answered ${page.status}: ${page.text}`)
    entries.push(...page.json.entries as AuditEntry[])
    cursor = page.json.nextCursor as string | null
  } while (cursor)
  return entries
}

/** RFC 4180 parsing, enough to read our export back. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      }
      else if (c === '"') quoted = false
      else cell += c
    }
    else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(cell)
      cell = ''
    }
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i++
    }
    else cell += c
  }
  if (cell || row.length) {
    row.push(cell)
    rows.push(row)
  }
  return rows
}

/** The export as the client receives it: how many reads it took, and the parsed records. */
export async function readExport(stack: Stack, client: HttpClient, query: Record<string, string> = {}) {
  const response = await client.fetch(`${stack.app.url}/api/admin/audit/export?${new URLSearchParams(query)}`)
  const decoder = new TextDecoder()
  let text = ''
  let chunks = 0
  if (response.body) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      chunks++
      text += decoder.decode(chunk, { stream: true })
    }
  }
  text += decoder.decode()
  const [header = [], ...records] = parseCsv(text.replace(/^\uFEFF/, ''))
  return { response, text, chunks, header, records, column: (name: string) => header.indexOf(name) }
}
