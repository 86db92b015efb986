import { sql, type SQL } from 'drizzle-orm'
import type { H3Event } from 'h3'

// Counted in PostgreSQL so that every replica enforces the same budget.

function tooMany(event: H3Event, message: string, retryAfterSeconds: number): never {
  setResponseHeader(event, 'Retry-After', retryAfterSeconds)
  throw createError({ statusCode: 429, statusMessage: 'Too Many Requests', message, data: { kind: 'quota', retryAfterSeconds } })
}

/** Adds `amount` to a user's counter in `bucket` (made on first use) and returns its new count. */
function addToCounter(userId: string, bucket: string, amount: number, expiresAt: Date): SQL {
  const { usageCounters } = tables
  return sql`INSERT INTO ${usageCounters} (user_id, bucket, count, expires_at)
    VALUES (${userId}, ${bucket}, ${amount}, ${expiresAt.toISOString()})
    ON CONFLICT (user_id, bucket) DO UPDATE SET count = ${usageCounters}.count + ${amount}
    RETURNING count`
}

function today(): { key: string, secondsLeft: number, end: Date } {
  const now = new Date()
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1))
  return { key: now.toISOString().slice(0, 10), secondsLeft: Math.ceil((end.getTime() - now.getTime()) / 1000), end }
}

/** Where this request counts: this minute's request bucket and today's token bucket. */
export interface LimitWindow { userId: string, minute: number, day: ReturnType<typeof today> }

export function limitWindow(userId: string): LimitWindow {
  return { userId, minute: Math.floor(Date.now() / 60_000), day: today() }
}

/**
 * SQL pieces for a statement that counts this request: `rate`, a CTE that adds one to this
 * minute's bucket and returns its count; `tokens`, today's total; `allowed`, both within limits.
 */
export function limitCounters(window: LimitWindow): { rate: SQL, tokens: SQL, allowed: SQL } {
  const { usageCounters } = tables
  const { requestsPerMinute, dailyTokenQuota } = useServerConfig().limits
  const tokens = sql`coalesce((SELECT count FROM ${usageCounters} WHERE user_id = ${window.userId} AND bucket = ${`tokens:${window.day.key}`}), 0)`
  return {
    rate: sql`rate AS (${addToCounter(window.userId, `requests:${window.minute}`, 1, new Date((window.minute + 2) * 60_000))})`,
    tokens,
    allowed: sql`((SELECT count FROM rate) <= ${requestsPerMinute} AND ${tokens} < ${dailyTokenQuota})`,
  }
}

/** 429 with Retry-After when counts read with limitCounters are beyond either limit. */
export function refuseOverLimits(event: H3Event, window: LimitWindow, counts: { requests: number, tokens: number }): void {
  const { requestsPerMinute, dailyTokenQuota } = useServerConfig().limits
  if (counts.requests > requestsPerMinute) {
    const wait = Math.max(1, Math.ceil(((window.minute + 1) * 60_000 - Date.now()) / 1000))
    tooMany(event, say('limits.requestsPerMinute', { count: requestsPerMinute, seconds: wait }, event), wait)
  }
  if (counts.tokens >= dailyTokenQuota) {
    tooMany(event, say('limits.dailyTokens', { tokens: localNumber(dailyTokenQuota, event) }, event), window.day.secondsLeft)
  }
}

/** Counts this request and checks today's tokens in one statement; 429 beyond either limit. */
export async function enforceLimits(event: H3Event, userId: string): Promise<void> {
  const window = limitWindow(userId)
  const { rate, tokens } = limitCounters(window)
  const [row] = await rowsOf<{ requests: string | number, tokens: string | number }>(useDb().execute(sql`
    WITH ${rate} SELECT (SELECT count FROM rate) AS requests, ${tokens} AS tokens`))
  refuseOverLimits(event, window, { requests: Number(row!.requests), tokens: Number(row!.tokens) })
}

/** The statement that adds the tokens an answer used to today's counter (none for none). */
export function tokenUsageWrite(userId: string, tokens: number): SQL | undefined {
  if (tokens <= 0) return undefined
  const day = today()
  return addToCounter(userId, `tokens:${day.key}`, tokens, new Date(day.end.getTime() + 86_400_000))
}
