import { sql } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { jsonList, readableBy, type DocumentReader } from './access'

export interface Passage {
  id: number
  documentId: string
  documentName: string
  page: number | null
  heading: string | null
  text: string
  score: number
}

export interface PassageQuery {
  /** The words searched in full text (websearch syntax: quotes and OR work). */
  text: string
  /** The question's embedding, as long as the chunks' (1536). */
  embedding: number[]
  /** A PostgreSQL text search configuration (DOCUMENT_SEARCH_LANGUAGE). */
  language: string
}

// How many candidates each ranking contributes before fusion, and RRF's usual damping constant.
// An answer takes 6 passages; 20 a side leaves fusion room and keeps the HNSW walk short (with
// iterative scans it goes on until that many readable chunks are found).
const CANDIDATES = 20
const RRF_K = 60
// Full-text matches ranked at most. A question of common words matches most of a library, and
// ranking every match reads the whole table (1.5 s p95 at 100,000 chunks in `npm run bench`);
// past this many its words say little, and the semantic ranking carries the search.
const LEXICAL_POOL = 300

type AnyDatabase = PgDatabase<PgQueryResultHKT, Record<string, unknown>>

/**
 * Settings every database connection of the app starts with (postgres' startup parameters,
 * PGlite's configuration). When the planner walks the HNSW index and filters by the access rule
 * afterwards (it does when it expects enough readable chunks among the nearest), the index hands
 * out only its nearest `ef_search` (40) candidates: a reader of 5% of the chunks kept about 2, and
 * one whose nearest were all someone else's kept none. An iterative scan (pgvector 0.8) goes on
 * until enough readable chunks are found. Relaxed order: the ranking is approximate anyway, and
 * strict order cost twice the time at 100,000 chunks (`npm run bench`, README: Performance).
 */
export const SEARCH_CONNECTION_SETTINGS: Record<string, string> = { 'hnsw.iterative_scan': 'relaxed_order' }

/**
 * Hybrid search in one query: the nearest chunks by cosine distance (HNSW index) and the best by
 * full-text rank (GIN index), fused by reciprocal rank fusion. Only chunks of ready documents the
 * reader may read take part: the access rule is in the WHERE of both rankings, so nothing else
 * can leak through a score, a count or a timing of the fusion.
 */
export async function searchPassages(db: AnyDatabase, reader: DocumentReader & { documentIds?: string[] }, query: PassageQuery, limit: number): Promise<Passage[]> {
  const onlyDocuments = reader.documentIds ? sql`AND d.id::text IN ${jsonList(reader.documentIds)}` : sql``
  const vector = `[${query.embedding.join(',')}]`
  const result = await db.execute(sql`
    WITH allowed AS (
      SELECT d.id, d.name FROM documents d
      WHERE d.status = 'ready' AND ${readableBy(reader)} ${onlyDocuments}
    ),
    semantic AS (
      SELECT c.id, row_number() OVER (ORDER BY c.embedding <=> ${vector}::vector) AS rank
      FROM document_chunks c
      WHERE c.document_id IN (SELECT id FROM allowed)
      ORDER BY c.embedding <=> ${vector}::vector
      LIMIT ${sql.raw(String(CANDIDATES))}
    ),
    matches AS (
      SELECT c.id, c.search, q
      FROM document_chunks c, websearch_to_tsquery(${query.language}::regconfig, ${query.text}) q
      WHERE c.search @@ q AND c.document_id IN (SELECT id FROM allowed)
      LIMIT ${sql.raw(String(LEXICAL_POOL))}
    ),
    lexical AS (
      SELECT m.id, row_number() OVER (ORDER BY ts_rank_cd(m.search, m.q) DESC, m.id) AS rank
      FROM matches m
      ORDER BY ts_rank_cd(m.search, m.q) DESC, m.id
      LIMIT ${sql.raw(String(CANDIDATES))}
    ),
    fused AS (
      SELECT coalesce(s.id, l.id) AS id,
        coalesce(1.0 / (${sql.raw(String(RRF_K))} + s.rank), 0) + coalesce(1.0 / (${sql.raw(String(RRF_K))} + l.rank), 0) AS score
      FROM semantic s FULL JOIN lexical l ON l.id = s.id
    )
    SELECT c.id::int AS "id", c.document_id AS "documentId", a.name AS "documentName", c.page, c.heading,
      c.text, f.score::float8 AS score
    FROM fused f
    JOIN document_chunks c ON c.id = f.id
    JOIN allowed a ON a.id = c.document_id
    ORDER BY f.score DESC, c.id
    LIMIT ${limit}`)
  const rows = (Array.isArray(result) ? result : (result as unknown as { rows: Passage[] }).rows) as Passage[]
  return rows.map(row => ({ ...row, score: Number(row.score) }))
}
