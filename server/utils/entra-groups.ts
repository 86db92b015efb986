import { z } from 'zod'

const logger = taggedLogger('auth')

const groupPage = z.object({
  'value': z.array(z.object({ id: z.string(), displayName: z.string().nullish() })),
  '@odata.nextLink': z.string().optional(),
})

export interface EntraGroup { id: string, name: string | null }

// Graph's pages are 100 groups by default; a runaway nextLink must not hold sign-in for ever.
const MAX_PAGES = 100

/**
 * True when Entra left the groups out because there are too many (over 200 in a JWT): the token
 * then carries `_claim_names.groups` (or `hasgroups` in implicit-flow tokens) instead.
 */
export function groupsOverflow(claims: EntraClaims): boolean {
  return claims.hasgroups === true || claims.hasgroups === 'true' || !!claims._claim_names?.groups
}

/** Every security group the user is in, transitively, with its name, from Graph (paged via @odata.nextLink). */
export async function readGroupDirectory(graphToken: string): Promise<EntraGroup[]> {
  const groups: EntraGroup[] = []
  let next: string | undefined = '/me/transitiveMemberOf/microsoft.graph.group?$select=id,displayName'
  for (let page = 0; next && page < MAX_PAGES; page++) {
    const response = await graphGet(next, graphToken)
    if (!response.ok) throw new GraphRefusedError(`Graph answered ${response.status} to transitiveMemberOf`)
    const body = groupPage.parse(await response.json())
    groups.push(...body.value.map(group => ({ id: group.id, name: group.displayName ?? null })))
    next = body['@odata.nextLink']
  }
  return groups
}

/** Every security group the user is in, transitively, from Graph: their object ids. */
export async function readGroupsFromGraph(graphToken: string): Promise<string[]> {
  return (await readGroupDirectory(graphToken)).map(group => group.id)
}

/**
 * The user's group object ids: the token's `groups` claim, or on overage Graph read with the
 * user's delegated token (on-behalf-of). [] when the app registration emits no groups claim.
 */
export async function resolveGroups(claims: EntraClaims, userAccessToken: string | undefined): Promise<string[]> {
  if (Array.isArray(claims.groups)) return claims.groups.filter((g): g is string => typeof g === 'string')
  if (!groupsOverflow(claims)) return []
  if (!userAccessToken) throw new GraphRefusedError('no access token to read the groups from Graph with')
  const groups = await readGroupsFromGraph(await graphTokenFor(userAccessToken))
  logger.debug(`Read ${groups.length} groups from Graph (groups claim overage)`)
  return groups
}

/** ACCESS_ALLOWED_GROUPS: unset lets everyone in; otherwise one shared group is needed. */
export function isInAllowedGroup(groups: readonly string[]): boolean {
  const { allowedGroups } = useServerConfig().azureAd
  return allowedGroups.length === 0 || groups.some(group => allowedGroups.includes(group))
}

/** The Entra app roles, plus Admin for members of ADMIN_GROUPS. */
export function rolesWithGroups(roles: readonly string[], groups: readonly string[]): string[] {
  const { adminGroups } = useServerConfig().azureAd
  const admin = groups.some(group => adminGroups.includes(group))
  return admin && !roles.includes('Admin') ? [...roles, 'Admin'] : [...roles]
}
