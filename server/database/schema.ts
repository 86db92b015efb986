import { sql } from 'drizzle-orm'
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}

// Staff are keyed by Entra's immutable (tid, oid) pair: email and UPN change with marriages and renames.
export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: text('tenant_id').notNull(),
  objectId: text('object_id').notNull(),
  email: text('email'),
  displayName: text('display_name'),
  lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
  ...timestamps,
}, table => [
  uniqueIndex('users_tenant_object_unique').on(table.tenantId, table.objectId),
])

export const chats = pgTable('chats', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  ...timestamps,
}, table => [
  // Serves the sidebar's keyset pagination: newest first, id breaks ties.
  index('chats_user_updated_idx').on(table.userId, table.updatedAt.desc(), table.id.desc()),
])

export const messageStatuses = ['complete', 'partial', 'failed'] as const
export type MessageStatus = typeof messageStatuses[number]

export const messageRoles = ['user', 'assistant'] as const
export type MessageRole = typeof messageRoles[number]

export const messages = pgTable('messages', {
  // Chosen by the client so that a re-sent message is stored once.
  id: uuid('id').primaryKey(),
  chatId: uuid('chat_id').notNull().references(() => chats.id, { onDelete: 'cascade' }),
  role: text('role', { enum: messageRoles }).notNull(),
  parts: jsonb('parts').notNull(),
  status: text('status', { enum: messageStatuses }).notNull().default('complete'),
  error: text('error'),
  inputTokens: integer('input_tokens'),
  outputTokens: integer('output_tokens'),
  model: text('model'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, table => [
  index('messages_chat_created_idx').on(table.chatId, table.createdAt, table.id),
])

// Entra tokens never reach the browser: the session cookie carries only this row's opaque id.
export const authSessions = pgTable('auth_sessions', {
  id: text('id').primaryKey(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  // AES-256-GCM ciphertexts (see server/utils/token-crypto.ts).
  accessToken: text('access_token').notNull(),
  refreshToken: text('refresh_token'),
  accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }).notNull(),
  endedAt: timestamp('ended_at', { withTimezone: true }),
  endedReason: text('ended_reason'),
  ...timestamps,
}, table => [
  index('auth_sessions_user_idx').on(table.userId),
])

// Per-user request and token counters shared by every replica (issue: limits).
export const usageCounters = pgTable('usage_counters', {
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  // 'requests:<minute epoch>' or 'tokens:<yyyy-mm-dd>'
  bucket: text('bucket').notNull(),
  count: bigint('count', { mode: 'number' }).notNull().default(0),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull().default(sql`now() + interval '2 days'`),
}, table => [
  uniqueIndex('usage_counters_user_bucket_unique').on(table.userId, table.bucket),
])
