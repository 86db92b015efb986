import { and, eq, ilike, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm'

export type UserStatus = 'active' | 'disabled'

/** `%text%` for ILIKE with the user's own % and _ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, c => `\\${c}`)}%`
}

/**
 * A user's last activity: their last sign-in or the last message in any of their chats
 * (chats.updated_at moves with every answer), whichever is later; the row's creation otherwise.
 * Computed per user through chats_user_updated_idx rather than kept in a column, so the chat
 * path stays untouched; fine for a staff directory, and the list is paged.
 */
// Qualified by hand: in a select list drizzle writes bare column names, and a bare "id" inside the
// subquery would mean the chat's id.
const lastActiveAt = sql<Date>`greatest("users"."created_at", "users"."last_sign_in_at", (SELECT max(c.updated_at) FROM chats c WHERE c.user_id = "users"."id"))`
  .mapWith(tables.users.createdAt)

/** Staff who used the assistant, most recently active first, keyset-paginated. */
export async function listUsersForAdmin(options: { limit: number, cursor?: Cursor, search?: string }) {
  const { users } = tables
  const conditions: SQL[] = []
  if (options.search) {
    const pattern = containsPattern(options.search)
    conditions.push(or(ilike(users.displayName, pattern), ilike(users.email, pattern))!)
  }
  if (options.cursor) {
    conditions.push(sql`(${lastActiveAt}, ${users.id}) < (${options.cursor.at.toISOString()}::timestamptz, ${options.cursor.id}::uuid)`)
  }
  const rows = await useDb().select({
    id: users.id,
    name: users.displayName,
    email: users.email,
    firstSignInAt: users.firstSignInAt,
    lastSignInAt: users.lastSignInAt,
    lastActiveAt,
    disabledAt: users.disabledAt,
    isGuest: users.isGuest,
    hasPhoto: sql<boolean>`exists (select 1 from user_photos p where p.user_id = "users"."id" and p.bytes is not null)`,
  }).from(users)
    .where(and(...conditions))
    .orderBy(sql`${lastActiveAt} DESC`, sql`${users.id} DESC`)
    .limit(options.limit + 1)
  const page = rows.slice(0, options.limit)
  const stats = await usageOfUsers(page.map(u => u.id))
  const last = page.at(-1)
  return {
    users: page.map(u => ({
      ...u,
      status: (u.disabledAt ? 'disabled' : 'active') as UserStatus,
      ...(stats.get(u.id) ?? { chats: 0, messages: 0, tokens: 0 }),
    })),
    nextCursor: rows.length > options.limit && last ? encodeCursor(last.lastActiveAt, last.id) : null,
  }
}

/**
 * Chats they have now, and messages they sent and tokens their answers used, deleted chats
 * included (the usage records): for one page of users only.
 */
async function usageOfUsers(userIds: string[]) {
  const result = new Map<string, { chats: number, messages: number, tokens: number }>()
  if (!userIds.length) return result
  const { chats, usageRecords } = tables
  const db = useDb()
  const [chatRows, usageRows] = await Promise.all([
    db.select({ userId: chats.userId, chats: sql<number>`count(*)::int` })
      .from(chats).where(inArray(chats.userId, userIds)).groupBy(chats.userId),
    db.select({
      userId: usageRecords.userId,
      messages: sql<number>`(count(*) FILTER (WHERE ${usageRecords.role} = 'user'))::int`,
      tokens: sql<number>`coalesce(sum(coalesce(${usageRecords.inputTokens}, 0) + coalesce(${usageRecords.outputTokens}, 0)), 0)::bigint`,
    }).from(usageRecords).where(inArray(usageRecords.userId, userIds)).groupBy(usageRecords.userId),
  ])
  for (const row of chatRows) result.set(row.userId, { chats: Number(row.chats), messages: 0, tokens: 0 })
  for (const row of usageRows) {
    result.set(row.userId, { chats: result.get(row.userId)?.chats ?? 0, messages: Number(row.messages), tokens: Number(row.tokens) })
  }
  return result
}

/**
 * Disables or enables the user. `changed` is false when they already were; `null` when there is
 * no such user. A disabled user's sessions end at their next request (requireUser, the jwt callback).
 */
export async function setUserDisabled(userId: string, disabled: boolean) {
  const { users } = tables
  const [updated] = await useDb().update(users)
    .set({ disabledAt: disabled ? sql`now()` : null, updatedAt: sql`now()` })
    .where(and(eq(users.id, userId), disabled ? isNull(users.disabledAt) : isNotNull(users.disabledAt)))
    .returning({ id: users.id, disabledAt: users.disabledAt })
  if (updated) return { ...statusOf(updated), changed: true }
  const [current] = await useDb().select({ id: users.id, disabledAt: users.disabledAt }).from(users).where(eq(users.id, userId))
  return current ? { ...statusOf(current), changed: false } : null
}

function statusOf(user: { id: string, disabledAt: Date | null }) {
  return { id: user.id, status: (user.disabledAt ? 'disabled' : 'active') as UserStatus, disabledAt: user.disabledAt }
}
