import { createHash } from 'node:crypto'
import seed from './accounts.json' with { type: 'json' }

export interface Tenant {
  id: string
  name: string
  domain: string
  /** The tenant the app is registered in; the other one is "foreign". */
  isDefault: boolean
}

interface SeededAccount {
  oid: string
  tid: string
  name: string
  email: string
  jobTitle: string
  roles: string[]
  groups: string[]
  /** How many more (generated) groups the account is in: enough makes the groups claim overflow. */
  extraGroups?: number
  photo: boolean
  /** A B2B guest: the tenant the person really belongs to. */
  homeTenant?: string
}

export interface Account {
  /** Immutable object id: the stable key, unlike email/UPN which can change. */
  oid: string
  tid: string
  name: string
  /** Also the UPN, so it is `preferred_username` in tokens. */
  email: string
  jobTitle: string
  /** Entra app roles assigned to this user for the app. */
  roles: string[]
  /** Object ids of the security groups the user is in (transitively). */
  groups: string[]
  /** Whether Graph has a profile photo for the user. */
  photo: boolean
  /** Set for a B2B guest: the home tenant, which becomes the token's `idp`; `acct` is then 1. */
  homeTenant?: string
}

/** A stable GUID for the n-th generated group of an account. */
function generatedGroupId(oid: string, n: number): string {
  const hex = createHash('sha256').update(`${oid}:group:${n}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

function expand({ extraGroups = 0, ...account }: SeededAccount): Account {
  const generated = Array.from({ length: extraGroups }, (_, n) => generatedGroupId(account.oid, n))
  return { ...account, groups: [...account.groups, ...generated] }
}

type Seeded = typeof seed.accounts
const expanded = Object.fromEntries(Object.entries(seed.accounts).map(([key, account]) => [key, expand(account as SeededAccount)])) as { [K in keyof Seeded]: Account }

export const tenants: { readonly contoso: Tenant, readonly fabrikam: Tenant } = seed.tenants
/** Named security groups of the Contoso tenant (object ids). */
export const groups: Readonly<typeof seed.groups> = seed.groups
export const accounts: { readonly [K in keyof Seeded]: Account } = expanded

export const allTenants: readonly Tenant[] = Object.values(tenants)
export const allAccounts: readonly Account[] = Object.values(accounts)

/** Entra puts at most this many groups in a JWT; beyond it the token points to Graph instead. */
export const GROUPS_CLAIM_LIMIT = 200

export function accountsOfTenant(tid: string): Account[] {
  return allAccounts.filter(account => account.tid === tid)
}

export function findAccount(oid: string): Account | undefined {
  return allAccounts.find(account => account.oid === oid)
}

/**
 * The group and guest claims Entra adds to ID and access tokens: `groups`, or on overage
 * `_claim_names`/`_claim_sources` pointing to Graph; and for a guest `acct: 1` and the `idp` of
 * the home tenant.
 */
export function directoryClaims(account: Account, graphHost: string): Record<string, unknown> {
  const claims: Record<string, unknown> = account.groups.length > GROUPS_CLAIM_LIMIT
    ? {
        _claim_names: { groups: 'src1' },
        _claim_sources: { src1: { endpoint: `${graphHost}/v1.0/users/${account.oid}/getMemberObjects` } },
      }
    : { groups: account.groups }
  if (account.homeTenant) Object.assign(claims, { acct: 1, idp: `https://sts.windows.net/${account.homeTenant}/` })
  else claims.acct = 0
  return claims
}
