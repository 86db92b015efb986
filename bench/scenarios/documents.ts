// Company documents: ingestion throughput through the app (upload to `ready`, through the real
// route, job queue and worker) for a 2-page PDF, a 100-page PDF and a Markdown file, with the share
// of it spent in embedding calls; the time to first token that answering from a document library
// adds to the same chat turn without one; then the hybrid search at scale (document-search.ts).
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { createAzure } from '@ai-sdk/azure'
import { embedMany } from 'ai'
import { chunkSections, extractDocument } from '../lib/app-modules.ts'
import type { BenchContext } from '../lib/context.ts'
import { textPdf } from '../lib/pdf.ts'
import { OPENAI_KEY } from '../lib/stack.ts'
import { median, ms, num, ratio, round, summarize } from '../lib/stats.ts'
import { appChat, getJson } from '../lib/stream-client.ts'
import { documentSearch } from './document-search.ts'

/** A chat gets this many turns before a new one starts, as in the chat overhead scenario. */
const TURNS_PER_CHAT = 5
// A question as people ask them: its words together are in one passage of each document (FACT).
// The other is made of the documents' most frequent words, which are in every chunk, so that the
// full-text side of the search ranks the whole library: the worst case, for information.
const QUESTION = 'What is the hotel limit per night in Frankfurt?'
const COMMON_QUESTION = 'How are hotel receipts approved for travel expense claims?'
const FACT = 'Hotel stays in Frankfurt are limited to 150 euros per night.'

interface DocumentState { id: string, status: string, error: string | null, pages: number | null, chunks: number }
interface EmulatorCall { path: string, deployment: string | null, status: number | null, inputTexts: string[] }

// --- documents to upload: policy-like prose from a fixed seed, so every run reads the same text ----

const VOCABULARY = ('employee manager travel hotel expense receipt claim approval budget invoice supplier contract '
  + 'office laptop security password meeting quarter report policy training leave holiday salary benefit '
  + 'insurance customer project deadline review audit risk compliance access account payment refund '
  + 'mileage taxi flight booking conference department finance purchase order request form signature').split(' ')

function random(seed: number) {
  // mulberry32: small, fast and the same on every machine.
  return () => {
    seed = (seed + 0x6D2B79F5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function paragraph(rand: () => number, chars: number): string {
  const sentences: string[] = []
  let length = 0
  while (length < chars) {
    const words = Array.from({ length: 8 + Math.floor(rand() * 9) }, () => VOCABULARY[Math.floor(rand() * VOCABULARY.length)]!)
    const sentence = `${words.join(' ').replace(/^./, c => c.toUpperCase())}.`
    sentences.push(sentence)
    length += sentence.length + 1
  }
  return sentences.join(' ')
}

function wrap(text: string, width = 95): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line)
      line = word
    }
    else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines
}

/** About a page of text (~2,800 characters, 30 lines) per page. */
function policyPdf(pages: number, seed: number): Buffer {
  const rand = random(seed)
  return textPdf(Array.from({ length: pages }, (_, i) => [`Section ${i + 1}`, ...wrap(`${i === 0 ? `${FACT} ` : ''}${paragraph(rand, 2800)}`)]))
}

/** 40 sections of ~4,200 characters in paragraphs: about two chunks a section. */
function policyMarkdown(seed: number): Buffer {
  const rand = random(seed)
  const sections = Array.from({ length: 40 }, (_, i) => `## Section ${i + 1}\n\n${i === 0 ? `${FACT}\n\n` : ''}${Array.from({ length: 6 }, () => paragraph(rand, 700)).join('\n\n')}`)
  return Buffer.from(`# Expense policy\n\n${sections.join('\n\n')}\n`, 'utf8')
}

// --- ingestion -------------------------------------------------------------------------------------

async function upload(ctx: BenchContext, name: string, bytes: Buffer): Promise<DocumentState> {
  const form = new FormData()
  form.set('scope', 'me')
  form.set('file', new Blob([new Uint8Array(bytes)]), name)
  const response = await fetch(`${ctx.app.url}/api/documents`, { method: 'POST', body: form, headers: { cookie: ctx.cookie, origin: ctx.app.url } })
  const text = await response.text()
  if (response.status !== 202) throw new Error(`Upload of ${name} answered ${response.status}: ${text.slice(0, 200)}`)
  return JSON.parse(text) as DocumentState
}

/** Polls GET /api/documents/:id every 10 ms (~1 ms of server time each) until ready or failed. */
async function untilProcessed(ctx: BenchContext, id: string): Promise<DocumentState> {
  const deadline = Date.now() + 300_000
  for (;;) {
    const { status, json } = await getJson<DocumentState>(`${ctx.app.url}/api/documents/${id}`, { cookie: ctx.cookie })
    if (status !== 200) throw new Error(`GET /api/documents/${id} answered ${status}`)
    if (json.status === 'ready' || json.status === 'failed') return json
    if (Date.now() > deadline) throw new Error(`Document ${id} still ${json.status} after 300 s`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

/**
 * The app's embedding calls of one ingestion, as the emulator logged them, sent again straight from
 * here with the same SDK, deployment and batches: what those calls cost a client, without the app.
 */
async function replayEmbeddings(ctx: BenchContext, calls: EmulatorCall[]): Promise<number> {
  const azure = createAzure({ baseURL: `${ctx.emulator.url}/openai/v1`, apiKey: OPENAI_KEY })
  const t0 = performance.now()
  for (const call of calls) await embedMany({ model: azure.embedding(call.deployment ?? 'text-embedding-3-small'), values: call.inputTexts, maxRetries: 0 })
  return performance.now() - t0
}

interface Ingestion { totalMs: number, uploadMs: number, embedMs: number, extractMs: number, pages: number | null, chunks: number, embeddingCalls: number }

async function ingest(ctx: BenchContext, name: string, bytes: Buffer, kind: 'pdf' | 'markdown'): Promise<Ingestion> {
  await fetch(`${ctx.emulator.url}/_emulator/reset`, { method: 'POST' })
  const t0 = performance.now()
  const queued = await upload(ctx, name, bytes)
  const uploadMs = performance.now() - t0
  const done = await untilProcessed(ctx, queued.id)
  const totalMs = performance.now() - t0
  if (done.status !== 'ready') throw new Error(`${name} ended ${done.status}: ${done.error}`)
  const { json: log } = await getJson<EmulatorCall[]>(`${ctx.emulator.url}/_emulator/requests`)
  const calls = log.filter(call => call.path.endsWith('/embeddings') && call.status === 200)
  const replays: number[] = []
  for (let i = 0; i < 3; i++) replays.push(await replayEmbeddings(ctx, calls))
  // Extraction and chunking, the app's own functions in this process, for the stage split.
  const extracts: number[] = []
  for (let i = 0; i < 3; i++) {
    const e0 = performance.now()
    chunkSections((await extractDocument(new Uint8Array(bytes), kind)).sections)
    extracts.push(performance.now() - e0)
  }
  return { totalMs, uploadMs, embedMs: median(replays), extractMs: median(extracts), pages: done.pages, chunks: done.chunks, embeddingCalls: calls.length }
}

async function ingestion(ctx: BenchContext) {
  const cases = [
    { label: '2-page PDF', unit: 'pages', kind: 'pdf', runs: ctx.quick ? 5 : 10, file: (i: number) => ({ name: `small-${i}.pdf`, bytes: policyPdf(2, 100 + i) }) },
    { label: '100-page PDF', unit: 'pages', kind: 'pdf', runs: ctx.quick ? 1 : 3, file: (i: number) => ({ name: `handbook-${i}.pdf`, bytes: policyPdf(100, 200 + i) }) },
    { label: 'Markdown file', unit: 'chunks', kind: 'markdown', runs: ctx.quick ? 3 : 5, file: (i: number) => ({ name: `expenses-${i}.md`, bytes: policyMarkdown(300 + i) }) },
  ] as const
  // Warm-up, not recorded: the worker's first job loads unpdf and opens the embedding client.
  await ingest(ctx, 'warm-up.pdf', policyPdf(2, 1), 'pdf')
  for (const c of cases) {
    const runs: Ingestion[] = []
    let size = 0
    for (let i = 0; i < c.runs; i++) {
      const { name, bytes } = c.file(i)
      size = bytes.length
      runs.push(await ingest(ctx, name, bytes, c.kind))
    }
    const total = median(runs.map(r => r.totalMs))
    const embed = median(runs.map(r => r.embedMs))
    const extract = median(runs.map(r => r.extractMs))
    const { pages, chunks, embeddingCalls } = runs[0]!
    const units = c.unit === 'pages' ? pages ?? 0 : chunks
    const perSecond = units / (total / 1000)
    const share = embed / total
    ctx.log(`ingestion, ${c.label} (${num(size / 1024, 1)} KB, ${pages ?? '-'} pages, ${chunks} chunks, ${embeddingCalls} embedding calls; median of ${runs.length}): upload to ready ${ms(total)} (upload answered in ${ms(median(runs.map(r => r.uploadMs)))}), ${num(perSecond, 1)} ${c.unit}/s; its embedding calls straight ${ms(embed)} (${(share * 100).toFixed(0)}%), extract + chunk in this process ${ms(extract)} (${(extract / total * 100).toFixed(0)}%)`)
    ctx.rows.push({
      scenario: 'documents',
      figure: `ingestion ${c.unit}/s, ${c.label} (${chunks} chunks)`,
      target: '(info)',
      measured: `${num(perSecond, 1)} ${c.unit}/s (${ms(total)} to ready), ${(share * 100).toFixed(0)}% embedding`,
      baseline: `${embeddingCalls} embedding call${embeddingCalls === 1 ? '' : 's'} straight ${ms(embed)}`,
      ratio: ratio(total, embed),
      pass: null,
      values: { runs, sizeBytes: size, perSecond: round(perSecond, 2), embeddingShare: round(share, 3), extractShare: round(extract / total, 3) },
    })
  }
}

// --- grounded answers ------------------------------------------------------------------------------

/**
 * TTFT of the same question with the user's library switched on (`libraries: ['me']`: the question
 * is embedded, the hybrid search runs, the passages go into the prompt and are stored with the
 * answer) and without; alternating phases, two rounds each, so drift lands on every side. Then the
 * same for a question in common words, which matches every chunk.
 */
async function groundedOverhead(ctx: BenchContext) {
  const perPhase = ctx.quick ? 15 : 50
  const plain: number[] = []
  const grounded: number[] = []
  const common: number[] = []
  const failures: string[] = []
  const phase = async (question: string, libraries: string[] | undefined, count: number, into: number[] | undefined) => {
    let chatId = randomUUID()
    for (let i = 0; i < count; i++) {
      if (i > 0 && i % TURNS_PER_CHAT === 0) chatId = randomUUID()
      const result = await appChat(ctx.app.url, ctx.cookie, chatId, question, undefined, undefined, libraries ? { libraries } : {})
      const cited = !libraries || result.text.startsWith('According to [')
      if (result.status !== 200 || result.error || result.finishStatus !== 'complete' || !cited) failures.push(`${libraries ? 'grounded' : 'plain'}: ${result.status} ${result.error ?? `finish=${result.finishStatus} text=${result.text.slice(0, 60)}`}`)
      else into?.push(result.ttftMs)
    }
  }
  await phase(QUESTION, undefined, 5, undefined)
  await phase(QUESTION, ['me'], 5, undefined)
  for (let round = 0; round < 2; round++) {
    await phase(QUESTION, undefined, perPhase, plain)
    await phase(QUESTION, ['me'], perPhase, grounded)
    await phase(COMMON_QUESTION, ['me'], perPhase, common)
  }
  // The one embedding call a grounded turn makes, straight to the emulator.
  const azure = createAzure({ baseURL: `${ctx.emulator.url}/openai/v1`, apiKey: OPENAI_KEY })
  const embedding: number[] = []
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now()
    await embedMany({ model: azure.embedding('text-embedding-3-small'), values: [QUESTION], maxRetries: 0 })
    embedding.push(performance.now() - t0)
  }
  const { json: library } = await getJson<{ documents: DocumentState[] }>(`${ctx.app.url}/api/documents`, { cookie: ctx.cookie })
  const libraryChunks = library.documents.reduce((sum, d) => sum + (d.status === 'ready' ? d.chunks : 0), 0)
  const p = summarize(plain)
  const g = summarize(grounded)
  const c = summarize(common)
  const overhead = { p50: g.p50 - p.p50, p95: g.p95 - p.p95 }
  const e = summarize(embedding)
  ctx.log(`grounded answer TTFT (library of ${library.documents.length} documents, ${num(libraryChunks)} chunks): without p50 ${ms(p.p50)} p95 ${ms(p.p95)} (n=${p.n}); with p50 ${ms(g.p50)} p95 ${ms(g.p95)} (n=${g.n}); overhead p50 ${ms(overhead.p50)} p95 ${ms(overhead.p95)}; a question in common words p50 ${ms(c.p50)} p95 ${ms(c.p95)}; the question's embedding call straight p50 ${ms(e.p50)}`)
  if (failures.length) ctx.log(`  ${failures.length} failed turns, e.g. ${failures.slice(0, 3).join(' | ')}`)
  const values = { plain: p, grounded: g, commonWords: c, overheadMs: { p50: round(overhead.p50), p95: round(overhead.p95) }, embeddingCallStraight: e, libraryDocuments: library.documents.length, libraryChunks, failures: failures.length }
  ctx.rows.push({
    scenario: 'documents',
    figure: `grounded answer TTFT overhead p50 (library of ${num(libraryChunks)} chunks)`,
    target: '< 30 ms',
    measured: ms(overhead.p50),
    baseline: `without library ${ms(p.p50)}, with ${ms(g.p50)}`,
    ratio: ratio(g.p50, p.p50),
    pass: overhead.p50 < 30 && failures.length === 0,
    values,
  })
  ctx.rows.push({
    scenario: 'documents',
    figure: 'grounded answer TTFT overhead p95',
    target: '(info)',
    measured: ms(overhead.p95),
    baseline: `without library ${ms(p.p95)}, with ${ms(g.p95)}`,
    ratio: ratio(g.p95, p.p95),
    pass: failures.length ? false : null,
  })
  ctx.rows.push({
    scenario: 'documents',
    figure: 'grounded TTFT overhead p50, question in words of every chunk',
    target: '(info)',
    measured: ms(c.p50 - p.p50),
    baseline: `without library ${ms(p.p50)}, with ${ms(c.p50)}`,
    ratio: ratio(c.p50, p.p50),
    pass: failures.length ? false : null,
  })
}

export async function documents(ctx: BenchContext): Promise<void> {
  await ingestion(ctx)
  await groundedOverhead(ctx)
  await documentSearch(ctx)
}
