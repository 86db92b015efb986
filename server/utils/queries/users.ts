import { and, eq, sql } from 'drizzle-orm'

export interface EntraIdentity { tenantId: string, objectId: string, email?: string | null, displayName?: string | null, isGuest?: boolean }

export async function findUserByEntraId(tenantId: string, objectId: string) {
  const [user] = await useDb().select().from(tables.users)
    .where(and(eq(tables.users.tenantId, tenantId), eq(tables.users.objectId, objectId)))
  return user
}

/** Creates or updates the user keyed by (tid, oid); email and name follow Entra, the key never does. */
export async function upsertUser(identity: EntraIdentity, options: { signedIn: boolean }) {
  const now = new Date()
  const values = {
    tenantId: identity.tenantId,
    objectId: identity.objectId,
    email: identity.email ?? null,
    displayName: identity.displayName ?? null,
    firstSignInAt: options.signedIn ? now : null,
    lastSignInAt: options.signedIn ? now : null,
    isGuest: identity.isGuest ?? false,
  }
  const [user] = await useDb().insert(tables.users).values(values)
    .onConflictDoUpdate({
      target: [tables.users.tenantId, tables.users.objectId],
      set: {
        email: sql`coalesce(excluded.email, ${tables.users.email})`,
        displayName: sql`coalesce(excluded.display_name, ${tables.users.displayName})`,
        firstSignInAt: options.signedIn ? sql`coalesce(${tables.users.firstSignInAt}, ${now.toISOString()}::timestamptz)` : sql`${tables.users.firstSignInAt}`,
        lastSignInAt: options.signedIn ? now : sql`${tables.users.lastSignInAt}`,
        // As Entra says at each sign-in or token: a guest converted to a member stops being one.
        ...(identity.isGuest === undefined ? {} : { isGuest: identity.isGuest }),
        updatedAt: now,
      },
    })
    .returning()
  return user!
}
