import { and, eq, sql } from 'drizzle-orm'
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

/** Counts this request against the per-minute limit; 429 with Retry-After beyond it. */
export async function enforceRequestRate(event: H3Event, userId: string): Promise<void> {
  const limit = useServerConfig().limits.requestsPerMinute
  const minute = Math.floor(Date.now() / 60_000)
  const count = await addTo(userId, `requests:${minute}`, 1, new Date((minute + 2) * 60_000))
  if (count > limit) {
    const wait = Math.max(1, Math.ceil(((minute + 1) * 60_000 - Date.now()) / 1000))
    tooMany(event, `You have sent ${limit} messages in the last minute, the most allowed. Please wait ${wait} seconds.`, wait)
  }
}

/** Refuses a new answer once today's tokens are spent. */
export async function enforceTokenQuota(event: H3Event, userId: string): Promise<void> {
  const quota = useServerConfig().limits.dailyTokenQuota
  const day = today()
  const [row] = await useDb().select({ count: tables.usageCounters.count }).from(tables.usageCounters)
    .where(and(eq(tables.usageCounters.userId, userId), eq(tables.usageCounters.bucket, `tokens:${day.key}`)))
  if (row && Number(row.count) >= quota) {
    tooMany(event, `You have used today's allowance of ${quota.toLocaleString('en')} tokens. It renews at midnight UTC.`, day.secondsLeft)
  }
}

export async function recordTokenUsage(userId: string, tokens: number): Promise<void> {
  if (tokens <= 0) return
  const day = today()
  await addTo(userId, `tokens:${day.key}`, tokens, new Date(day.end.getTime() + 86_400_000))
}
