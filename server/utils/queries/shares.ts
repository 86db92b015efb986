import { and, asc, desc, eq, inArray, isNull, lte, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { ShareMode } from '../../database/schema'

/** Creates a read-only link to one of the user's chats; a snapshot stops at its newest message now. */
export async function createShare(chatId: string, ownerId: string, mode: ShareMode) {
  await requireChat(chatId, ownerId)
  const { chatShares, messages } = tables
  const [newest] = await useDb().select({ seq: sql<number | null>`max(${messages.seq})` }).from(messages).where(eq(messages.chatId, chatId))
  const [share] = await useDb().insert(chatShares)
    .values({ chatId, ownerId, mode, upToSeq: mode === 'snapshot' ? Number(newest?.seq ?? 0) : null })
    .returning({ id: chatShares.id, mode: chatShares.mode, createdAt: chatShares.createdAt, revokedAt: chatShares.revokedAt })
  return share!
}

/** The chat's links, newest first, each with who opened it; only for the chat's owner. */
export async function listShares(chatId: string, ownerId: string) {
  await requireChat(chatId, ownerId)
  const { chatShares, chatShareViews, users } = tables
  const shares = await useDb().select({ id: chatShares.id, mode: chatShares.mode, createdAt: chatShares.createdAt, revokedAt: chatShares.revokedAt })
    .from(chatShares)
    .where(and(eq(chatShares.chatId, chatId), eq(chatShares.ownerId, ownerId)))
    .orderBy(desc(chatShares.createdAt))
  const views = shares.length
    ? await useDb().select({
        shareId: chatShareViews.shareId,
        name: users.displayName,
        email: users.email,
        firstOpenedAt: chatShareViews.firstOpenedAt,
        lastOpenedAt: chatShareViews.lastOpenedAt,
        opens: chatShareViews.opens,
      }).from(chatShareViews).innerJoin(users, eq(users.id, chatShareViews.viewerId))
        .where(inArray(chatShareViews.shareId, shares.map(s => s.id)))
        .orderBy(desc(chatShareViews.lastOpenedAt))
    : []
  return shares.map(share => ({ ...share, viewers: views.filter(v => v.shareId === share.id).map(({ shareId: _id, ...v }) => v) }))
}

/** Revokes one of the owner's links (idempotent); false when it is not theirs. */
export async function revokeShare(chatId: string, shareId: string, ownerId: string): Promise<boolean> {
  const { chatShares } = tables
  const [share] = await useDb().update(chatShares)
    .set({ revokedAt: sql`coalesce(${chatShares.revokedAt}, now())` })
    .where(and(eq(chatShares.id, shareId), eq(chatShares.chatId, chatId), eq(chatShares.ownerId, ownerId)))
    .returning({ id: chatShares.id })
  return !!share
}

/**
 * A link as a colleague opens it: only while it is not revoked, and only for a user of the
 * owner's tenant (anyone else gets the same 404 as for no link at all). The messages are the
 * snapshot's, or the chat's as it is now for a live link; answers still being written are left out.
 */
export async function openShare(shareId: string, viewerId: string) {
  const { chatShares, chats, users, messages } = tables
  const owner = alias(users, 'owner')
  const [share] = await useDb().select({
    id: chatShares.id,
    chatId: chatShares.chatId,
    ownerId: chatShares.ownerId,
    mode: chatShares.mode,
    upToSeq: chatShares.upToSeq,
    createdAt: chatShares.createdAt,
    title: chats.title,
    ownerName: owner.displayName,
  }).from(chatShares)
    .innerJoin(chats, eq(chats.id, chatShares.chatId))
    .innerJoin(owner, eq(owner.id, chatShares.ownerId))
    .innerJoin(users, eq(users.id, viewerId))
    .where(and(
      eq(chatShares.id, shareId),
      isNull(chatShares.revokedAt),
      eq(users.tenantId, owner.tenantId),
    ))
  if (!share) throw createError({ statusCode: 404, statusMessage: 'Not Found', message: say('notFound.sharedChat') })
  const conditions = [eq(messages.chatId, share.chatId), sql`${messages.status} <> 'streaming'`]
  if (share.mode === 'snapshot') conditions.push(lte(messages.seq, share.upToSeq ?? 0))
  const rows = await useDb().select({
    id: messages.id,
    role: messages.role,
    parts: messages.parts,
    status: messages.status,
    error: messages.error,
    model: messages.model,
    createdAt: messages.createdAt,
  }).from(messages).where(and(...conditions)).orderBy(asc(messages.seq))
  return { share, messages: rows }
}

/** Notes that the viewer opened the link (the owner's own opens are not counted). */
export async function recordShareView(shareId: string, viewerId: string) {
  const { chatShareViews } = tables
  await useDb().insert(chatShareViews).values({ shareId, viewerId })
    .onConflictDoUpdate({
      target: [chatShareViews.shareId, chatShareViews.viewerId],
      set: { lastOpenedAt: sql`now()`, opens: sql`${chatShareViews.opens} + 1` },
    })
}

/**
 * "Continue in a new chat": a chat of the viewer's own with a copy of what the link shows. The
 * copies used no model, so their usage records (written by the messages trigger) are removed in
 * the same transaction: the dashboard counts what was asked and answered, once.
 */
export async function copySharedChat(shareId: string, viewerId: string) {
  const { share, messages: shown } = await openShare(shareId, viewerId)
  const { chats, messages, usageRecords } = tables
  const chatId = crypto.randomUUID()
  await useDb().transaction(async (tx) => {
    await tx.insert(chats).values({ id: chatId, userId: viewerId, title: share.title, model: null })
    if (!shown.length) return
    const copies = shown.map(m => ({ id: crypto.randomUUID(), chatId, role: m.role, parts: m.parts, status: m.status, error: m.error, model: m.model }))
    // One by one, in order: each gets the next seq, so the copy reads as the original.
    for (const copy of copies) await tx.insert(messages).values(copy)
    await tx.delete(usageRecords).where(inArray(usageRecords.messageId, copies.map(c => c.id)))
  })
  return { id: chatId, title: share.title, chatIdOfShare: share.chatId, messages: shown.length }
}
