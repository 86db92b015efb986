import { and, desc, eq, gte, sql } from 'drizzle-orm'

export interface UsageDay {
  /** UTC day, YYYY-MM-DD. */
  day: string
  /** Distinct staff who sent at least one message that day. */
  activeUsers: number
  /** Messages staff sent. */
  messages: number
  /** Answers the model gave or tried to give (stored assistant messages). */
  answers: number
  inputTokens: number
  outputTokens: number
  tokens: number
  /** Model calls that failed (assistant messages stored as failed). */
  failed: number
}

const DAY_MS = 86_400_000

/** Midnight UTC `days - 1` days ago: a period of 7 days is today and the six before. */
export function periodStart(days: number, now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * DAY_MS)
}

const dayOf = sql<string>`to_char(${tables.usageRecords.createdAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`

/**
 * Daily figures, top users and failure reasons for the last `days` days (UTC), from the usage
 * records: a deleted chat's messages still count.
 */
export async function usageReport(days: number, now = new Date()) {
  const { usageRecords: messages, users } = tables
  const from = periodStart(days, now)
  const db = useDb()
  const inPeriod = gte(messages.createdAt, from)
  const tokens = sql`coalesce(${messages.inputTokens}, 0) + coalesce(${messages.outputTokens}, 0)`

  const dailyRows = await db.select({
    day: dayOf,
    activeUsers: sql<number>`(count(DISTINCT ${messages.userId}) FILTER (WHERE ${messages.role} = 'user'))::int`,
    messages: sql<number>`(count(*) FILTER (WHERE ${messages.role} = 'user'))::int`,
    answers: sql<number>`(count(*) FILTER (WHERE ${messages.role} = 'assistant'))::int`,
    inputTokens: sql<number>`coalesce(sum(${messages.inputTokens}), 0)::bigint`,
    outputTokens: sql<number>`coalesce(sum(${messages.outputTokens}), 0)::bigint`,
    failed: sql<number>`(count(*) FILTER (WHERE ${messages.role} = 'assistant' AND ${messages.status} = 'failed'))::int`,
  }).from(messages)
    .where(inPeriod)
    .groupBy(dayOf)

  const [totals] = await db.select({
    activeUsers: sql<number>`(count(DISTINCT ${messages.userId}) FILTER (WHERE ${messages.role} = 'user'))::int`,
  }).from(messages).where(inPeriod)

  const topUsers = await db.select({
    id: users.id,
    name: users.displayName,
    email: users.email,
    tokens: sql<number>`coalesce(sum(${tokens}), 0)::bigint`,
    messages: sql<number>`(count(*) FILTER (WHERE ${messages.role} = 'user'))::int`,
  }).from(messages)
    .innerJoin(users, eq(users.id, messages.userId))
    .where(inPeriod)
    .groupBy(users.id, users.displayName, users.email)
    .orderBy(desc(sql`coalesce(sum(${tokens}), 0)`), desc(sql`count(*) FILTER (WHERE ${messages.role} = 'user')`), users.id)
    .limit(10)

  // `error` holds the sentence the user was shown (describeModelError), never what they wrote.
  const failures = await db.select({
    reason: sql<string>`coalesce(${messages.error}, 'Unknown')`,
    count: sql<number>`count(*)::int`,
  }).from(messages)
    .where(and(inPeriod, eq(messages.role, 'assistant'), eq(messages.status, 'failed')))
    .groupBy(sql`coalesce(${messages.error}, 'Unknown')`)
    .orderBy(desc(sql`count(*)`))
    .limit(10)

  // Answers and tokens per model id; answers stored before models were recorded have none.
  const modelRows = await db.select({
    model: sql<string>`coalesce(${messages.model}, 'unknown')`,
    answers: sql<number>`count(*)::int`,
    inputTokens: sql<number>`coalesce(sum(${messages.inputTokens}), 0)::bigint`,
    outputTokens: sql<number>`coalesce(sum(${messages.outputTokens}), 0)::bigint`,
  }).from(messages)
    .where(and(inPeriod, eq(messages.role, 'assistant')))
    .groupBy(sql`coalesce(${messages.model}, 'unknown')`)
    .orderBy(desc(sql`coalesce(sum(${tokens}), 0)`), sql`coalesce(${messages.model}, 'unknown')`)

  const byDay = new Map(dailyRows.map(r => [r.day, r]))
  const daily: UsageDay[] = Array.from({ length: days }, (_, i) => {
    const day = new Date(from.getTime() + i * DAY_MS).toISOString().slice(0, 10)
    const row = byDay.get(day)
    const inputTokens = Number(row?.inputTokens ?? 0)
    const outputTokens = Number(row?.outputTokens ?? 0)
    return {
      day,
      activeUsers: Number(row?.activeUsers ?? 0),
      messages: Number(row?.messages ?? 0),
      answers: Number(row?.answers ?? 0),
      inputTokens,
      outputTokens,
      tokens: inputTokens + outputTokens,
      failed: Number(row?.failed ?? 0),
    }
  })
  const sum = (key: keyof Omit<UsageDay, 'day'>) => daily.reduce((n, d) => n + d[key], 0)
  return {
    period: { days, from: from.toISOString(), to: now.toISOString() },
    totals: {
      // Distinct over the whole period, not the sum of the days.
      activeUsers: Number(totals?.activeUsers ?? 0),
      messages: sum('messages'),
      answers: sum('answers'),
      tokens: sum('tokens'),
      failed: sum('failed'),
    },
    daily,
    topUsers: topUsers.map(u => ({ ...u, tokens: Number(u.tokens), messages: Number(u.messages) })),
    failures: failures.map(f => ({ reason: f.reason, count: Number(f.count) })),
    byModel: modelRows.map((m) => {
      const inputTokens = Number(m.inputTokens)
      const outputTokens = Number(m.outputTokens)
      return { model: m.model, answers: Number(m.answers), inputTokens, outputTokens, tokens: inputTokens + outputTokens }
    }),
  }
}
