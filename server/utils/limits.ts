import { sql } from 'drizzle-orm'
import type { H3Event } from 'h3'

// Counted in PostgreSQL so that every replica enforces the same budget.

function tooMany(event: H3Event, message: string, retryAfterSeconds: number): never {
  setResponseHeader(event, 'Retry-After', retryAfterSeconds)
  throw createError({ statusCode: 429, statusMessage: 'Too Many Requests', message, data: { kind: 'quota', retryAfterSeconds } })
}

async function addTo(userId: string, bucket: string, amount: number, expiresAt: Date): Promise<number> {
  const { usageCounters } = tables
  const [row] = await useDb().insert(usageCounters).values({ userId, bucket, count: amount, expiresAt })
    .onConflictDoUpdate({ target: [usageCounters.userId, usageCounters.bucket], set: { count: sql`${usageCounters.count} + ${amount}` } })
    .returning({ count: usageCounters.count })
  return Number(row!.count)
}

function today(): { key: string, secondsLeft: number, end: Date } {
  const now = new Date()
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1))
  return { key: now.toISOString().slice(0, 10), secondsLeft: Math.ceil((end.getTime() - now.getTime()) / 1000), end }
}

/**
 * Counts this request against the per-minute limit and checks today's token allowance, in one
 * statement (one round trip before the model call); 429 with Retry-After beyond either.
 */
export async function enforceLimits(event: H3Event, userId: string): Promise<void> {
  const { requestsPerMinute, dailyTokenQuota } = useServerConfig().limits
  const minute = Math.floor(Date.now() / 60_000)
  const day = today()
  const { usageCounters } = tables
  const rows = await rowsOf<{ requests: string | number, tokens: string | number | null }>(useDb().execute(sql`
    WITH rate AS (
      INSERT INTO ${usageCounters} (user_id, bucket, count, expires_at)
      VALUES (${userId}, ${`requests:${minute}`}, 1, ${new Date((minute + 2) * 60_000).toISOString()})
      ON CONFLICT (user_id, bucket) DO UPDATE SET count = ${usageCounters}.count + 1
      RETURNING count
    )
    SELECT (SELECT count FROM rate) AS requests,
      (SELECT count FROM ${usageCounters} WHERE user_id = ${userId} AND bucket = ${`tokens:${day.key}`}) AS tokens`))
  const requests = Number(rows[0]!.requests)
  const tokens = Number(rows[0]!.tokens ?? 0)
  if (requests > requestsPerMinute) {
    const wait = Math.max(1, Math.ceil(((minute + 1) * 60_000 - Date.now()) / 1000))
    tooMany(event, `You have sent ${requestsPerMinute} messages in the last minute, the most allowed. Please wait ${wait} seconds.`, wait)
  }
  if (tokens >= dailyTokenQuota) {
    tooMany(event, `You have used today's allowance of ${dailyTokenQuota.toLocaleString('en')} tokens. It renews at midnight UTC.`, day.secondsLeft)
  }
}

export async function recordTokenUsage(userId: string, tokens: number): Promise<void> {
  if (tokens <= 0) return
  const day = today()
  await addTo(userId, `tokens:${day.key}`, tokens, new Date(day.end.getTime() + 86_400_000))
}
