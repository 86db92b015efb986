import { and, asc, eq, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm'

export interface AssistantFields {
  name: string
  description: string
  icon: string
  starterPrompts: string[]
  defaultModel: string | null
}

/** Who may change an assistant: its owner (personal) or an admin (company-wide). */
export type AssistantScope = { ownerId: string } | { company: true }

const columns = {
  id: tables.assistants.id,
  ownerId: tables.assistants.ownerId,
  name: tables.assistants.name,
  description: tables.assistants.description,
  icon: tables.assistants.icon,
  starterPrompts: tables.assistants.starterPrompts,
  defaultModel: tables.assistants.defaultModel,
  version: tables.assistants.version,
  publishedAt: tables.assistants.publishedAt,
}

/** A published company assistant, or one of the user's own: anything else is as if it did not exist. */
function visibleTo(userId: string): SQL {
  const { assistants } = tables
  return or(and(isNull(assistants.ownerId), isNotNull(assistants.publishedAt)), eq(assistants.ownerId, userId))!
}

function scoped(scope: AssistantScope): SQL {
  return 'ownerId' in scope ? eq(tables.assistants.ownerId, scope.ownerId) : isNull(tables.assistants.ownerId)
}

interface Row { id: string, ownerId: string | null, name: string, description: string, icon: string, starterPrompts: string[], defaultModel: string | null, version: number, publishedAt: Date | null }

/** What staff see of an assistant; the prompt only when given (its owner). */
export function publicAssistant(row: Row, prompt?: string) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    icon: row.icon,
    starterPrompts: row.starterPrompts,
    defaultModel: row.defaultModel,
    personal: row.ownerId !== null,
    ...(prompt === undefined ? {} : { systemPrompt: prompt }),
  }
}

/** How admins see a company assistant: with its prompt, version and whether it is published. */
export function adminAssistant(row: Row, prompt: string) {
  return { ...publicAssistant(row, prompt), version: row.version, published: row.publishedAt !== null, publishedAt: row.publishedAt }
}

// Qualified by hand: drizzle writes bare column names in a subquery, and both tables have `version`.
const currentPrompt = sql<string>`(SELECT av.system_prompt FROM ${tables.assistantVersions} av
  WHERE av.assistant_id = "assistants"."id" AND av.version = "assistants"."version")`

/** The company's published assistants, then the user's own, oldest first. */
export async function listAssistantsFor(userId: string) {
  const { assistants } = tables
  const rows = await useDb().select(columns).from(assistants).where(visibleTo(userId))
    .orderBy(sql`${assistants.ownerId} IS NOT NULL`, asc(assistants.createdAt), asc(assistants.id))
  return rows.map(r => publicAssistant(r))
}

/** Every company assistant, published or not, for the admin page. */
export async function listCompanyAssistants() {
  const { assistants } = tables
  const rows = await useDb().select({ ...columns, prompt: currentPrompt }).from(assistants).where(isNull(assistants.ownerId))
    .orderBy(asc(assistants.createdAt), asc(assistants.id))
  return rows.map(({ prompt, ...r }) => adminAssistant(r, prompt))
}

/** One assistant the user may see, with its current prompt and version (the caller decides what to show). */
export async function getAssistantFor(id: string, userId: string) {
  const { assistants } = tables
  const [row] = await useDb().select({ ...columns, prompt: currentPrompt }).from(assistants).where(and(eq(assistants.id, id), visibleTo(userId)))
  return row
}

/** A new assistant at version 1; `ownerId` null makes a company assistant (unpublished). */
export async function createAssistant(ownerId: string | null, fields: AssistantFields, systemPrompt: string) {
  return useDb().transaction(async (tx) => {
    const [row] = await tx.insert(tables.assistants).values({ ...fields, ownerId }).returning(columns)
    await tx.insert(tables.assistantVersions).values({ assistantId: row!.id, version: 1, systemPrompt })
    return { row: row!, prompt: systemPrompt }
  })
}

/**
 * Changes an assistant within the caller's scope (undefined: none there). A new prompt is a new
 * version; the old one stays for the chats begun with it.
 */
export async function updateAssistant(id: string, scope: AssistantScope, change: Partial<AssistantFields> & { systemPrompt?: string, published?: boolean }) {
  const { assistants, assistantVersions } = tables
  return useDb().transaction(async (tx) => {
    const [current] = await tx.select({ version: assistants.version, prompt: currentPrompt }).from(assistants)
      .where(and(eq(assistants.id, id), scoped(scope))).for('update')
    if (!current) return undefined
    const { systemPrompt, published, ...fields } = change
    let version = current.version
    if (systemPrompt !== undefined && systemPrompt !== current.prompt) {
      version += 1
      await tx.insert(assistantVersions).values({ assistantId: id, version, systemPrompt })
    }
    const [row] = await tx.update(assistants).set({
      ...fields,
      version,
      updatedAt: sql`now()`,
      ...(published === undefined ? {} : { publishedAt: published ? sql`coalesce(${assistants.publishedAt}, now())` : null }),
    }).where(eq(assistants.id, id)).returning(columns)
    return { row: row!, prompt: systemPrompt ?? current.prompt, promptChanged: version !== current.version }
  })
}

/** The prompt of the version a chat keeps (regenerate and edit read it; a new question gets it with its insert). */
export async function assistantPrompt(assistantId: string, version: number): Promise<string | undefined> {
  const { assistantVersions } = tables
  const [row] = await useDb().select({ prompt: assistantVersions.systemPrompt }).from(assistantVersions)
    .where(and(eq(assistantVersions.assistantId, assistantId), eq(assistantVersions.version, version)))
  return row?.prompt
}

/** How a chat names the assistant it was begun with, whether or not it is still published. */
export async function assistantSummary(id: string) {
  const { assistants } = tables
  const [row] = await useDb().select({ id: assistants.id, name: assistants.name, icon: assistants.icon }).from(assistants).where(eq(assistants.id, id))
  return row ?? null
}
