import { sql } from 'drizzle-orm'
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

// Millisecond precision: keyset cursors carry a JavaScript Date, which cannot hold microseconds.
const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 })

const timestamps = {
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
}

// Staff are keyed by Entra's immutable (tid, oid) pair: email and UPN change with marriages and renames.
export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenantId: text('tenant_id').notNull(),
  objectId: text('object_id').notNull(),
  email: text('email'),
  displayName: text('display_name'),
  firstSignInAt: at('first_sign_in_at'),
  lastSignInAt: at('last_sign_in_at'),
  disabledAt: at('disabled_at'),
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
  // Plain ascending: PostgreSQL scans it backwards for ORDER BY updated_at DESC, id DESC. A
  // "DESC" index here is DESC NULLS LAST, which that ORDER BY (NULLS FIRST) cannot use.
  index('chats_user_updated_idx').on(table.userId, table.updatedAt, table.id),
  // Retention finds chats by last activity across all users.
  index('chats_updated_idx').on(table.updatedAt),
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
  // Conversation order: a sequence, because two messages can share a millisecond.
  seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
  createdAt: at('created_at').notNull().defaultNow(),
}, table => [
  index('messages_chat_seq_idx').on(table.chatId, table.seq),
  // The usage dashboard aggregates a period of days across all chats.
  index('messages_created_idx').on(table.createdAt),
])

// Entra tokens never reach the browser: the session cookie carries only this row's opaque id.
export const authSessions = pgTable('auth_sessions', {
  id: text('id').primaryKey(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  // AES-256-GCM ciphertexts (see server/utils/token-crypto.ts).
  accessToken: text('access_token').notNull(),
  refreshToken: text('refresh_token'),
  accessTokenExpiresAt: at('access_token_expires_at').notNull(),
  endedAt: at('ended_at'),
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
  expiresAt: at('expires_at').notNull().default(sql`now() + interval '2 days'`),
}, table => [
  uniqueIndex('usage_counters_user_bucket_unique').on(table.userId, table.bucket),
])

export const auditOutcomes = ['success', 'refused', 'failure'] as const
export type AuditOutcome = typeof auditOutcomes[number]

// Append-only (a trigger refuses UPDATE, TRUNCATE and any DELETE but the retention job's; see
// drizzle/0002_audit_log_append_only.sql). No foreign keys on purpose: an entry must outlive the
// user or chat it names, and ON DELETE SET NULL would be an UPDATE. Never holds message text.
export const auditLog = pgTable('audit_log', {
  // A sequence, not a uuid: it gives the log a total order for keyset pages and streamed exports.
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  createdAt: at('created_at').notNull().defaultNow(),
  actorId: uuid('actor_id'),
  action: text('action').notNull(),
  targetType: text('target_type'),
  targetId: text('target_id'),
  outcome: text('outcome', { enum: auditOutcomes }).notNull(),
  reason: text('reason'),
  ip: text('ip'),
  userAgent: text('user_agent'),
  requestId: text('request_id'),
  details: jsonb('details'),
}, table => [
  index('audit_log_created_idx').on(table.createdAt),
  index('audit_log_actor_idx').on(table.actorId, table.id),
  index('audit_log_action_idx').on(table.action, table.id),
])
