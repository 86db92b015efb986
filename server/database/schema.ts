import { sql } from 'drizzle-orm'
import { bigint, boolean, check, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, vector } from 'drizzle-orm/pg-core'

// Millisecond precision: keyset cursors carry a JavaScript Date, which cannot hold microseconds.
const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 })

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })
const regconfig = customType<{ data: string }>({ dataType: () => 'regconfig' })
const bytea = customType<{ data: Buffer, driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  // postgres.js hands back a Buffer, PGlite a Uint8Array.
  fromDriver: value => Buffer.isBuffer(value) ? value : Buffer.from(value),
})

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
  // A B2B guest (acct = 1, or signed in from another home tenant), as seen at the last sign-in.
  isGuest: boolean('is_guest').notNull().default(false),
  // The language picked in the account menu (en, de, fr); null: the browser's language decides.
  locale: text('locale'),
  ...timestamps,
}, table => [
  uniqueIndex('users_tenant_object_unique').on(table.tenantId, table.objectId),
])

export const chats = pgTable('chats', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  // The model last picked in this chat (an id of AZURE_OPENAI_DEPLOYMENTS); null: the default.
  model: text('model'),
  // The assistant the chat was begun with, and the version of its prompt it keeps answering with.
  assistantId: uuid('assistant_id').references(() => assistants.id, { onDelete: 'set null' }),
  assistantVersion: integer('assistant_version'),
  ...timestamps,
}, table => [
  // Serves the sidebar's keyset pagination: newest first, id breaks ties.
  // Plain ascending: PostgreSQL scans it backwards for ORDER BY updated_at DESC, id DESC. A
  // "DESC" index here is DESC NULLS LAST, which that ORDER BY (NULLS FIRST) cannot use.
  index('chats_user_updated_idx').on(table.userId, table.updatedAt, table.id),
  // Retention finds chats by last activity across all users.
  index('chats_updated_idx').on(table.updatedAt),
])

// Ready-made assistants: company-wide ones (no owner) that admins publish, and personal ones that
// only their owner sees. The prompt is versioned (assistant_versions): a chat keeps the version it
// was begun with, so a later edit never changes how an old chat is answered.
export const assistants = pgTable('assistants', {
  id: uuid('id').primaryKey().defaultRandom(),
  ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  icon: text('icon').notNull().default('i-lucide-bot'),
  starterPrompts: jsonb('starter_prompts').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  // A model id of AZURE_OPENAI_DEPLOYMENTS the picker switches to; null: leave it as it is.
  defaultModel: text('default_model'),
  version: integer('version').notNull().default(1),
  // Company assistants only: staff see them once published.
  publishedAt: at('published_at'),
  ...timestamps,
}, table => [
  index('assistants_owner_idx').on(table.ownerId),
])

export const assistantVersions = pgTable('assistant_versions', {
  assistantId: uuid('assistant_id').notNull().references(() => assistants.id, { onDelete: 'cascade' }),
  version: integer('version').notNull(),
  systemPrompt: text('system_prompt').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
}, table => [
  primaryKey({ columns: [table.assistantId, table.version] }),
])

// An answer's lifecycle (server/chat/turn.ts writes it, nothing else): `streaming` while a
// replica answers it, then how it ended. `truncated`: the model stopped early (length, content
// filter); `interrupted`: the process answering it went away. The reason is in `error`.
export const messageStatuses = ['streaming', 'complete', 'truncated', 'stopped', 'failed', 'interrupted'] as const
export type MessageStatus = typeof messageStatuses[number]

/** A passage an answer was given to cite as [id]: where it came from and the quoted text. */
export interface Citation { id: number, documentId: string, documentName: string, page: number | null, heading: string | null, text: string }

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
  // The model id that answered (usage is split by it).
  model: text('model'),
  // While `streaming`: the answering replica's last sign of life, and a Stop asked from any replica.
  heartbeatAt: at('heartbeat_at'),
  stopRequestedAt: at('stop_requested_at'),
  // A grounded answer's sources (company documents): what its [n] markers point to.
  citations: jsonb('citations').$type<Citation[]>(),
  // Conversation order: a sequence, because two messages can share a millisecond.
  seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
  createdAt: at('created_at').notNull().defaultNow(),
  // What the chat search matches: the words of the message's text parts, stemmed as English.
  search: tsvector('search').generatedAlwaysAs(sql`to_tsvector('english', jsonb_path_query_array("parts", 'strict $[*] ? (@.type == "text").text'))`),
}, table => [
  index('messages_chat_seq_idx').on(table.chatId, table.seq),
  // The usage dashboard aggregates a period of days across all chats.
  index('messages_created_idx').on(table.createdAt),
  // The sweep for turns whose replica died looks only at the few answers being written.
  index('messages_streaming_idx').on(table.heartbeatAt).where(sql`${table.status} = 'streaming'`),
  // Full-text search over everything a user's chats say (server/utils/queries/chats.ts).
  index('messages_search_idx').using('gin', table.search),
])

export const feedbackRatings = ['up', 'down'] as const
export type FeedbackRating = typeof feedbackRatings[number]
export const feedbackReasons = ['wrong', 'harmful', 'unhelpful', 'other'] as const
export type FeedbackReason = typeof feedbackReasons[number]

// A user's thumbs up or down on an answer, one per (message, user); cleared by deleting the row.
// It goes with the message (cascade): a deleted chat takes its feedback along.
export const messageFeedback = pgTable('message_feedback', {
  messageId: uuid('message_id').notNull().references(() => messages.id, { onDelete: 'cascade' }),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  rating: text('rating', { enum: feedbackRatings }).notNull(),
  // Thumbs down only: why, from a fixed list, and in the user's own words.
  reason: text('reason', { enum: feedbackReasons }),
  comment: text('comment'),
  ...timestamps,
}, table => [
  primaryKey({ columns: [table.messageId, table.userId] }),
  // The admin page reads a period of days and the latest comments.
  index('message_feedback_updated_idx').on(table.updatedAt),
])

export const shareModes = ['snapshot', 'live'] as const
export type ShareMode = typeof shareModes[number]

// A read-only link to a chat for colleagues of the owner's tenant. The id is the link: random,
// unguessable, never public (opening it needs a signed-in user of the same tenant). `snapshot`
// shows the messages up to `upToSeq`; `live` shows the chat as it is now. Revoking keeps the row
// (who opened it stays visible to the owner) and makes the link a 404.
export const chatShares = pgTable('chat_shares', {
  id: uuid('id').primaryKey().defaultRandom(),
  chatId: uuid('chat_id').notNull().references(() => chats.id, { onDelete: 'cascade' }),
  ownerId: uuid('owner_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  mode: text('mode', { enum: shareModes }).notNull(),
  upToSeq: bigint('up_to_seq', { mode: 'number' }),
  createdAt: at('created_at').notNull().defaultNow(),
  revokedAt: at('revoked_at'),
}, table => [
  index('chat_shares_chat_idx').on(table.chatId),
])

// Who opened a share: the owner sees it.
export const chatShareViews = pgTable('chat_share_views', {
  shareId: uuid('share_id').notNull().references(() => chatShares.id, { onDelete: 'cascade' }),
  viewerId: uuid('viewer_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  firstOpenedAt: at('first_opened_at').notNull().defaultNow(),
  lastOpenedAt: at('last_opened_at').notNull().defaultNow(),
  opens: integer('opens').notNull().default(1),
}, table => [
  primaryKey({ columns: [table.shareId, table.viewerId] }),
])

// Accounting: what each message cost, kept when its chat is deleted (by the user or retention):
// usage was spent all the same. Written by a trigger on messages (drizzle/0006_usage_records.sql),
// so no code path that stores a message can forget it. Never holds message text.
export const usageRecords = pgTable('usage_records', {
  messageId: uuid('message_id').primaryKey(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  chatId: uuid('chat_id').notNull(),
  role: text('role', { enum: messageRoles }).notNull(),
  status: text('status', { enum: messageStatuses }).notNull(),
  error: text('error'),
  inputTokens: integer('input_tokens'),
  outputTokens: integer('output_tokens'),
  /** The deployment id that answered (assistant messages); null before models were recorded. */
  model: text('model'),
  createdAt: at('created_at').notNull(),
}, table => [
  // The usage dashboard aggregates a period of days; the users page sums per user.
  index('usage_records_created_idx').on(table.createdAt),
  index('usage_records_user_idx').on(table.userId),
])

// Entra tokens never reach the browser: the session cookie carries only this row's opaque id.
export const authSessions = pgTable('auth_sessions', {
  id: text('id').primaryKey(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  // AES-256-GCM ciphertexts (see server/utils/token-crypto.ts).
  accessToken: text('access_token').notNull(),
  refreshToken: text('refresh_token'),
  accessTokenExpiresAt: at('access_token_expires_at').notNull(),
  // When the current access token was issued: its lifetime sets the refresh margin.
  accessTokenIssuedAt: at('access_token_issued_at').notNull().defaultNow(),
  // Entra group object ids, from the token's groups claim or Graph on overage; never in the cookie.
  groups: jsonb('groups').$type<string[]>().notNull().default([]),
  // Conditional Access asked for more (step-up MFA, compliant device): the `claims` to send the
  // browser to Entra's authorize endpoint with, once the session ended for it.
  claimsChallenge: text('claims_challenge'),
  // First request the session served: a session that ends before any ended "at once" (loop guard).
  firstUsedAt: at('first_used_at'),
  endedAt: at('ended_at'),
  endedReason: text('ended_reason'),
  ...timestamps,
}, table => [
  index('auth_sessions_user_idx').on(table.userId),
])

// The user's Entra profile photo (Graph's 96x96), kept here so that it never rides in the cookie.
export const userPhotos = pgTable('user_photos', {
  userId: uuid('user_id').primaryKey().references(() => users.id, { onDelete: 'cascade' }),
  // Null: Graph said the user has no photo (404), so the UI shows initials until the next fetch.
  bytes: bytea('bytes'),
  contentType: text('content_type'),
  etag: text('etag'),
  fetchedAt: at('fetched_at').notNull().defaultNow(),
})

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

// Company documents (issue 14). A document is readable by its scope: `chat` (attached to one chat
// of its owner), `me` (its owner's library) or `group` (an Entra group's shared library). Every
// read filters by that in SQL (server/documents/access.ts, search.ts).
export const documentScopes = ['chat', 'me', 'group'] as const
export type DocumentScope = typeof documentScopes[number]
export const documentStatuses = ['queued', 'extracting', 'indexing', 'ready', 'failed'] as const
export type DocumentStatus = typeof documentStatuses[number]

export const documents = pgTable('documents', {
  id: uuid('id').primaryKey().defaultRandom(),
  ownerId: uuid('owner_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  scope: text('scope', { enum: documentScopes }).notNull(),
  chatId: uuid('chat_id').references(() => chats.id, { onDelete: 'cascade' }),
  // An Entra group object id (no table of groups: Entra owns them).
  groupId: text('group_id'),
  name: text('name').notNull(),
  mediaType: text('media_type').notNull(),
  sizeBytes: integer('size_bytes').notNull(),
  pages: integer('pages'),
  status: text('status', { enum: documentStatuses }).notNull().default('queued'),
  // Why it failed, as a sentence for the user.
  error: text('error'),
  // The original file, kept in PostgreSQL so one backup holds everything (replicas keep no disk).
  content: bytea('content').notNull(),
  ...timestamps,
}, table => [
  index('documents_owner_idx').on(table.ownerId, table.createdAt),
  index('documents_group_idx').on(table.groupId).where(sql`${table.scope} = 'group'`),
  index('documents_chat_idx').on(table.chatId).where(sql`${table.scope} = 'chat'`),
  check('documents_scope_target', sql`(${table.scope} = 'chat') = (${table.chatId} IS NOT NULL) AND (${table.scope} = 'group') = (${table.groupId} IS NOT NULL)`),
])

export const documentChunks = pgTable('document_chunks', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  documentId: uuid('document_id').notNull().references(() => documents.id, { onDelete: 'cascade' }),
  ordinal: integer('ordinal').notNull(),
  page: integer('page'),
  heading: text('heading'),
  text: text('text').notNull(),
  embedding: vector('embedding', { dimensions: 1536 }).notNull(),
  // The text search configuration it was indexed with (DOCUMENT_SEARCH_LANGUAGE at the time).
  language: regconfig('language').notNull().default(sql`'english'::regconfig`),
  search: tsvector('search').generatedAlwaysAs(sql`to_tsvector("language", "text")`),
}, table => [
  uniqueIndex('document_chunks_document_ordinal_unique').on(table.documentId, table.ordinal),
  index('document_chunks_embedding_idx').using('hnsw', table.embedding.op('vector_cosine_ops')),
  index('document_chunks_search_idx').using('gin', table.search),
])

// Ingestion work, drained by every replica with FOR UPDATE SKIP LOCKED (server/documents/jobs.ts).
// A job whose lease ran out (its replica died) is taken again, so ingestion survives restarts.
export const documentJobs = pgTable('document_jobs', {
  documentId: uuid('document_id').primaryKey().references(() => documents.id, { onDelete: 'cascade' }),
  attempts: integer('attempts').notNull().default(0),
  runAfter: at('run_after').notNull().defaultNow(),
  leasedUntil: at('leased_until'),
  createdAt: at('created_at').notNull().defaultNow(),
}, table => [
  index('document_jobs_run_after_idx').on(table.runAfter),
])
