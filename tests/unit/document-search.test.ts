import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations, readMigrations } from '../../server/utils/migrations'
import { SEARCH_CONNECTION_SETTINGS, searchPassages } from '../../server/documents/search'
import { hashedEmbedding } from '../../emulators/azure-openai/hashed-embedding'
import { createTestDatabase, type TestDatabase } from '../support/database'

const drizzleDir = join(import.meta.dirname, '../../drizzle')
type Db = Parameters<typeof searchPassages>[0]

const ALICE = '00000000-0000-4000-8000-00000000000a'
const BOB = '00000000-0000-4000-8000-00000000000b'
const ALICE_CHAT = '00000000-0000-4000-8000-0000000000c1'
const OTHER_CHAT = '00000000-0000-4000-8000-0000000000c2'
const BOB_CHAT = '00000000-0000-4000-8000-0000000000c3'
const RISK_GROUP = 'group-risk'
const doc = (n: number) => `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`

// One passage per document, each about something else, so the right document is unmistakable.
const DOCUMENTS = [
  { id: doc(1), owner: ALICE, scope: 'me', chat: null, group: null, status: 'ready', name: 'alice-travel.pdf', text: 'Travel expenses are reimbursed within thirty days of the trip.' },
  { id: doc(2), owner: ALICE, scope: 'chat', chat: ALICE_CHAT, group: null, status: 'ready', name: 'alice-chat.docx', text: 'The chat attachment explains overtime compensation for weekend shifts.' },
  { id: doc(3), owner: BOB, scope: 'group', chat: null, group: RISK_GROUP, status: 'ready', name: 'risk-policy.pdf', text: 'Credit risk limits are reviewed by the risk committee every quarter.' },
  { id: doc(4), owner: BOB, scope: 'me', chat: null, group: null, status: 'ready', name: 'bob-private.md', text: 'Bob private notes about travel expenses and the reimbursement of trips.' },
  { id: doc(5), owner: ALICE, scope: 'me', chat: null, group: null, status: 'indexing', name: 'alice-unfinished.html', text: 'Travel expenses draft still being indexed.' },
  { id: doc(6), owner: BOB, scope: 'chat', chat: BOB_CHAT, group: null, status: 'ready', name: 'bob-chat.pdf', text: 'Overtime compensation for weekend shifts in Bob chat.' },
] as const

async function seed(db: Db) {
  await db.execute(sql`INSERT INTO users (id, tenant_id, object_id) VALUES (${ALICE}, 't', 'alice'), (${BOB}, 't', 'bob')`)
  await db.execute(sql`INSERT INTO chats (id, user_id, title) VALUES (${ALICE_CHAT}, ${ALICE}, 'a'), (${OTHER_CHAT}, ${ALICE}, 'b'), (${BOB_CHAT}, ${BOB}, 'c')`)
  for (const d of DOCUMENTS) {
    await db.execute(sql`INSERT INTO documents (id, owner_id, scope, chat_id, group_id, name, media_type, size_bytes, status, content)
      VALUES (${d.id}, ${d.owner}, ${d.scope}, ${d.chat}, ${d.group}, ${d.name}, 'text/plain', 1, ${d.status}, '\\x00'::bytea)`)
    await db.execute(sql`INSERT INTO document_chunks (document_id, ordinal, page, heading, text, embedding)
      VALUES (${d.id}, 0, 2, 'Policy', ${d.text}, ${`[${hashedEmbedding(d.text).join(',')}]`}::vector)`)
  }
}

const ask = (text: string) => ({ text, embedding: hashedEmbedding(text), language: 'english' })

function searchSuite(open: () => Promise<{ db: Db, close: () => Promise<void> }>) {
  let db: Db
  let close: () => Promise<void>
  beforeAll(async () => {
    ({ db, close } = await open())
    await applyMigrations(db as never, await readMigrations(name => readFile(join(drizzleDir, name), 'utf8').catch(() => null)))
    await seed(db)
  })
  afterAll(async () => close?.())

  const names = async (reader: Parameters<typeof searchPassages>[1], question: string) =>
    (await searchPassages(db, reader, ask(question), 10)).map(p => p.documentName)

  it('finds the owner\'s own passage first, with its page and heading, and never another user\'s', async () => {
    const passages = await searchPassages(db, { userId: ALICE, groupIds: [] }, ask('How are travel expenses reimbursed?'), 10)
    expect(passages[0]).toMatchObject({ documentId: doc(1), documentName: 'alice-travel.pdf', page: 2, heading: 'Policy' })
    expect(passages[0]!.score).toBeGreaterThan(0)
    expect(passages.map(p => p.documentName)).not.toContain('bob-private.md')
  })

  it('leaves out documents that are not ready', async () => {
    expect(await names({ userId: ALICE, groupIds: [] }, 'travel expenses draft')).not.toContain('alice-unfinished.html')
  })

  it('lets a chat\'s attachment be found in that chat only', async () => {
    expect(await names({ userId: ALICE, groupIds: [], chatId: ALICE_CHAT }, 'overtime compensation weekend shifts')).toContain('alice-chat.docx')
    expect(await names({ userId: ALICE, groupIds: [], chatId: OTHER_CHAT }, 'overtime compensation weekend shifts')).not.toContain('alice-chat.docx')
    expect(await names({ userId: ALICE, groupIds: [] }, 'overtime compensation weekend shifts')).not.toContain('alice-chat.docx')
    // Bob's chat id does not open Bob's attachment to Alice.
    expect(await names({ userId: ALICE, groupIds: [], chatId: BOB_CHAT }, 'overtime compensation weekend shifts')).not.toContain('bob-chat.pdf')
  })

  it('shows a group\'s library to its members only', async () => {
    expect(await names({ userId: ALICE, groupIds: [RISK_GROUP] }, 'credit risk limits committee')).toContain('risk-policy.pdf')
    expect(await names({ userId: ALICE, groupIds: ['another-group'] }, 'credit risk limits committee')).not.toContain('risk-policy.pdf')
    expect(await names({ userId: ALICE, groupIds: [] }, 'credit risk limits committee')).not.toContain('risk-policy.pdf')
  })

  it('searches only the named documents when asked to', async () => {
    expect(await names({ userId: ALICE, groupIds: [RISK_GROUP], documentIds: [doc(3)] }, 'travel expenses')).not.toContain('alice-travel.pdf')
    expect(await names({ userId: ALICE, groupIds: [RISK_GROUP], documentIds: [doc(3)] }, 'credit risk')).toEqual(['risk-policy.pdf'])
  })

  it('fuses meaning and words: a question sharing no exact phrase still finds the passage', async () => {
    // Full text alone matches "reimbursed" by its stem; the vector alone matches on shared words.
    const passages = await searchPassages(db, { userId: ALICE, groupIds: [RISK_GROUP] }, ask('reimbursement of a trip'), 3)
    expect(passages.map(p => p.documentName)).toContain('alice-travel.pdf')
  })

  it('uses the HNSW and GIN indexes when the planner is told not to scan', async () => {
    await db.execute(sql`SET enable_seqscan = off`)
    const plan = await db.execute(sql`EXPLAIN SELECT id FROM document_chunks ORDER BY embedding <=> ${`[${hashedEmbedding('travel').join(',')}]`}::vector LIMIT 5`)
    const text = JSON.stringify(plan)
    expect(text).toContain('document_chunks_embedding_idx')
    const lexical = JSON.stringify(await db.execute(sql`EXPLAIN SELECT id FROM document_chunks WHERE search @@ websearch_to_tsquery('english', 'travel')`))
    expect(lexical).toContain('document_chunks_search_idx')
    await db.execute(sql`SET enable_seqscan = on`)
  })

  it('finds the reader\'s passage by meaning when the index\'s nearest chunks are all someone else\'s', async () => {
    // Bob's many chunks are nearer to the question than Alice's one, which shares none of the
    // question's rarer words (full text cannot find it). The HNSW index hands out its nearest
    // candidates before the access rule filters them: without iterative scans they are all Bob's.
    const near = 'Travel expenses reimbursed quickly'
    await db.execute(sql`INSERT INTO documents (id, owner_id, scope, name, media_type, size_bytes, status, content)
      VALUES (${doc(7)}, ${ALICE}, 'me', 'alice-journeys.md', 'text/plain', 1, 'ready', '\\x00'::bytea),
        (${doc(8)}, ${BOB}, 'me', 'bob-many.md', 'text/plain', 1, 'ready', '\\x00'::bytea)`)
    await db.execute(sql`INSERT INTO document_chunks (document_id, ordinal, text, embedding)
      VALUES (${doc(7)}, 0, 'Travel expenses for journeys are paid back.', ${`[${hashedEmbedding('Travel expenses for journeys are paid back.').join(',')}]`}::vector)`)
    for (let i = 0; i < 150; i++) {
      const text = `${near} ${i}`
      await db.execute(sql`INSERT INTO document_chunks (document_id, ordinal, text, embedding)
        VALUES (${doc(8)}, ${i}, ${text}, ${`[${hashedEmbedding(text).join(',')}]`}::vector)`)
    }
    await db.execute(sql`ANALYZE document_chunks`)
    // As the planner does at scale, when the access rule looks likely to pass most chunks.
    await db.execute(sql`SET enable_sort = off`)
    try {
      expect(await names({ userId: ALICE, groupIds: [] }, near)).toContain('alice-journeys.md')
    }
    finally {
      await db.execute(sql`SET enable_sort = on`)
    }
  })
}

describe('document search on PGlite', () => {
  searchSuite(async () => {
    const client = new PGlite({ extensions: { vector }, postgresqlconf: Object.entries(SEARCH_CONNECTION_SETTINGS).map(([name, value]) => `${name}=${value}`) })
    return { db: drizzlePglite(client) as unknown as Db, close: () => client.close() }
  })
})

describe('document search on PostgreSQL', () => {
  let database: TestDatabase
  searchSuite(async () => {
    database = await createTestDatabase({ kind: 'postgres' })
    const client = postgres(database.url!, { max: 1, onnotice: () => {}, connection: SEARCH_CONNECTION_SETTINGS })
    return { db: drizzlePostgres(client) as unknown as Db, close: async () => {
      await client.end()
      await database.drop()
    } }
  })
})
