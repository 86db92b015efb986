// History at scale: 1,000,000 messages in 10,000 chats, inserted with generate_series, then the
// two queries every page load runs: a user's chat list (first page) and a chat's newest messages.
// Always on PostgreSQL: the server's own database in a PostgreSQL run (then the API is timed on
// it too), a database of its own in a PGlite run (PGlite belongs to the server process).
import { performance } from 'node:perf_hooks'
import postgres from 'postgres'
import type { BenchContext } from '../lib/context.ts'
import { load } from '../lib/load.ts'
import { applyMigrationsTo, createPostgresDatabase, LOCAL_POSTGRES, type BenchDatabase } from '../lib/stack.ts'
import { ms, num, ratio, summarize } from '../lib/stats.ts'

const USERS = 10
const MESSAGES_PER_CHAT = 100

// Exactly the SQL drizzle generates for listChats() and listMessages() (server/utils/queries).
const CHAT_LIST = 'select "id", "title", "created_at", "updated_at" from "chats" where "chats"."user_id" = $1 order by "chats"."updated_at" desc, "chats"."id" desc limit $2'
const NEWEST_PAGE = 'select "id", "role", "parts", "status", "error", "created_at", "seq" from "messages" where "messages"."chat_id" = $1 order by "messages"."seq" desc limit $2'
const BASELINE = 'select "id" from "users" where "users"."id" = $1'

type Sql = ReturnType<typeof postgres>

const explainText = (rows: Array<Record<string, string>>) => rows.map(r => r['QUERY PLAN']).join('\n')

/** Every plan node type, to check that only index scans (and the Limit above them) are used. */
function nodeTypes(plan: Record<string, unknown>): string[] {
  const children = (plan.Plans as Array<Record<string, unknown>> | undefined) ?? []
  return [plan['Node Type'] as string, ...children.flatMap(nodeTypes)]
}

async function timeQuery(sql: Sql, query: string, params: () => unknown[], iterations: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < iterations; i++) {
    const p = params()
    const t0 = performance.now()
    await sql.unsafe(query, p as never[], { prepare: true })
    out.push(performance.now() - t0)
  }
  return out
}

async function explain(sql: Sql, query: string, params: unknown[]) {
  const text = explainText(await sql.unsafe(`EXPLAIN (ANALYZE, BUFFERS) ${query}`, params as never[]))
  const [json] = await sql.unsafe(`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`, params as never[])
  const root = (json!['QUERY PLAN'] as Array<{ 'Plan': Record<string, unknown>, 'Execution Time': number }>)[0]!
  const types = nodeTypes(root.Plan)
  const indexOnly = types.every(t => t === 'Limit' || t === 'Index Scan' || t === 'Index Only Scan')
  return { text, types, indexOnly, executionMs: root['Execution Time'] }
}

export async function history(ctx: BenchContext): Promise<void> {
  const chatsWanted = ctx.quick ? 1_000 : 10_000
  let own: BenchDatabase | undefined
  let url = ctx.db.url
  const onServerDb = ctx.db.kind === 'postgres'
  if (!onServerDb) {
    const base = process.env.BENCH_POSTGRES_URL ?? LOCAL_POSTGRES
    try {
      own = await createPostgresDatabase(base)
    }
    catch (error) {
      ctx.log(`history: skipped on PGlite, no PostgreSQL at ${base}: ${(error as Error).message}`)
      ctx.rows.push({ scenario: 'history at scale', figure: 'chat list / newest page p95', target: '< 10 ms', measured: 'skipped on PGlite', pass: null })
      return
    }
    await applyMigrationsTo(own.url!)
    url = own.url
    ctx.log(`history: the server runs on PGlite; the history scenario runs on a PostgreSQL database of its own (${own.name})`)
  }
  const sql = postgres(url!, { max: 1, onnotice: () => {} })
  try {
    // --- data ----------------------------------------------------------------------------------
    // Ten users own the chats; in a PostgreSQL run one of them is the signed-in bench user, so the
    // API can be timed on the same rows.
    const t0 = performance.now()
    const benchUser = onServerDb ? (await sql`select id from users where object_id = ${ctx.userOid}`)[0]?.id as string | undefined : undefined
    const synthetic = await sql`
      insert into users (tenant_id, object_id, email, display_name)
      select 'bench-tenant', 'bench-' || g, 'bench' || g || '@contoso.com', 'Bench user ' || g
      from generate_series(1, ${USERS - (benchUser ? 1 : 0)}) g
      returning id`
    const userIds = [...(benchUser ? [benchUser] : []), ...synthetic.map(r => r.id as string)]
    // Chats: spread over users round-robin, last activity spread over the past ~year.
    await sql`
      insert into chats (user_id, title, created_at, updated_at)
      select (${userIds}::uuid[])[1 + (g % ${USERS})], 'History chat ' || g,
             now() - make_interval(mins => g * 50 + 30), now() - make_interval(mins => g * 50)
      from generate_series(1, ${chatsWanted}) g`
    await sql`create temp table bench_chats as select id, created_at from chats where title like 'History chat %'`
    // Messages, interleaved across chats (message n of every chat before message n+1 of any), so
    // seq order and heap order are those of many conversations running side by side.
    const step = 10
    for (let n = 1; n <= MESSAGES_PER_CHAT; n += step) {
      await sql`
        insert into messages (id, chat_id, role, parts, status, model, input_tokens, output_tokens, created_at)
        select gen_random_uuid(), c.id,
               case when n % 2 = 1 then 'user' else 'assistant' end,
               jsonb_build_array(jsonb_build_object('type', 'text', 'text',
                 case when n % 2 = 1 then 'Question ' || n || ': how does the policy apply to case ' || md5(c.id::text || n)
                 else repeat('The answer explains the policy step by step with examples. ', 6) || md5(c.id::text || n) end)),
               'complete',
               case when n % 2 = 0 then 'gpt-4o-mini' end,
               case when n % 2 = 0 then 40 end,
               case when n % 2 = 0 then 90 end,
               c.created_at + make_interval(secs => n * 20)
        from generate_series(${n}::int, ${Math.min(MESSAGES_PER_CHAT, n + step - 1)}::int) n
        cross join bench_chats c
        order by n, c.id`
      ctx.log(`  messages ${num(Math.min(MESSAGES_PER_CHAT, n + step - 1) * chatsWanted)} / ${num(MESSAGES_PER_CHAT * chatsWanted)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`)
    }
    await sql`vacuum analyze users, chats, messages`
    const [{ chats, messages }] = await sql`select (select count(*) from chats)::int as chats, (select count(*) from messages)::int as messages`
    const size = (await sql`select pg_size_pretty(pg_total_relation_size('messages')) as s`)[0]!.s as string
    const insertSeconds = (performance.now() - t0) / 1000
    ctx.log(`history: ${num(chats)} chats, ${num(messages)} messages (${size} with indexes) inserted and analysed in ${insertSeconds.toFixed(1)} s`)

    // --- query timings (client side: round trip included) ---------------------------------------
    const chatIds = (await sql`select id from bench_chats`).map(r => r.id as string)
    const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!
    const iterations = ctx.quick ? 200 : 1000
    await timeQuery(sql, CHAT_LIST, () => [pick(userIds), 31], 50)
    await timeQuery(sql, NEWEST_PAGE, () => [pick(chatIds), 51], 50)
    await timeQuery(sql, BASELINE, () => [pick(userIds)], 50)
    const base = summarize(await timeQuery(sql, BASELINE, () => [pick(userIds)], iterations))
    const list = summarize(await timeQuery(sql, CHAT_LIST, () => [pick(userIds), 31], iterations))
    const page = summarize(await timeQuery(sql, NEWEST_PAGE, () => [pick(chatIds), 51], iterations))
    ctx.log(`  baseline (user by primary key) p50 ${ms(base.p50)} p95 ${ms(base.p95)}; chat list p50 ${ms(list.p50)} p95 ${ms(list.p95)}; newest page p50 ${ms(page.p50)} p95 ${ms(page.p95)} (n=${iterations})`)

    const listPlan = await explain(sql, CHAT_LIST, [userIds[0], 31])
    const pagePlan = await explain(sql, NEWEST_PAGE, [chatIds[Math.floor(chatIds.length / 2)], 51])
    console.log(`\nEXPLAIN (ANALYZE, BUFFERS) chat list, first page (user with ${num(chats / USERS)} chats):\n${listPlan.text}\n`)
    console.log(`EXPLAIN (ANALYZE, BUFFERS) a chat's newest page (${MESSAGES_PER_CHAT} messages in the chat):\n${pagePlan.text}\n`)

    const scale = `${num(messages)} msgs / ${num(chats)} chats`
    ctx.rows.push({
      scenario: 'history at scale',
      figure: `chat list first page p95 (${scale})`,
      target: '< 10 ms, index scans only',
      measured: `${ms(list.p95)}, ${listPlan.indexOnly ? 'index scans only' : `plan: ${listPlan.types.join(' > ')}`}`,
      baseline: `PK lookup ${ms(base.p95)}`,
      ratio: ratio(list.p95, base.p95),
      pass: list.p95 < 10 && listPlan.indexOnly,
      values: { summary: list, baseline: base, plan: listPlan, chats, messages, insertSeconds },
    })
    ctx.rows.push({
      scenario: 'history at scale',
      figure: `chat newest page p95 (${scale})`,
      target: '< 10 ms, index scans only',
      measured: `${ms(page.p95)}, ${pagePlan.indexOnly ? 'index scans only' : `plan: ${pagePlan.types.join(' > ')}`}`,
      baseline: `PK lookup ${ms(base.p95)}`,
      ratio: ratio(page.p95, base.p95),
      pass: page.p95 < 10 && pagePlan.indexOnly,
      values: { summary: page, plan: pagePlan },
    })

    // --- the same pages through the API, on the loaded database (PostgreSQL runs) ---------------
    if (onServerDb && benchUser) {
      const seconds = ctx.quick ? 3 : 5
      const headers = { cookie: ctx.cookie }
      const mine = (await sql`select id from chats where user_id = ${benchUser} and title like 'History chat %' limit 1`)[0]!.id as string
      const health = await load(`${ctx.app.url}/api/health`, { connections: 10, seconds })
      const apiList = await load(`${ctx.app.url}/api/chats`, { connections: 10, seconds, headers })
      const apiPage = await load(`${ctx.app.url}/api/chats/${mine}/messages`, { connections: 10, seconds, headers })
      ctx.log(`  API on this data (10 connections): /api/health ${num(health.rps)} req/s; /api/chats ${num(apiList.rps)} req/s p50 ${ms(apiList.latency.p50)} p99 ${ms(apiList.latency.p99)}; /api/chats/:id/messages ${num(apiPage.rps)} req/s p50 ${ms(apiPage.latency.p50)} p99 ${ms(apiPage.latency.p99)}`)
      for (const [figure, r] of [['API GET /api/chats at scale', apiList], ['API GET /api/chats/:id/messages at scale', apiPage]] as const) {
        ctx.rows.push({
          scenario: 'history at scale',
          figure,
          target: '(info)',
          measured: `${num(r.rps)} req/s, p99 ${ms(r.latency.p99)}`,
          baseline: `/api/health ${num(health.rps)} req/s`,
          ratio: ratio(r.rps, health.rps),
          pass: r.non2xx || r.errors ? false : null,
          values: { result: r, health },
        })
      }
    }
  }
  finally {
    await sql.end()
    if (process.env.BENCH_KEEP_DB && own) ctx.log(`history: kept database ${own.url} (BENCH_KEEP_DB)`)
    else await own?.drop()
  }
}
