import seed from './accounts.json' with { type: 'json' }

export interface Tenant {
  id: string
  name: string
  domain: string
  /** The tenant the app is registered in; the other one is "foreign". */
  isDefault: boolean
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
}

export const tenants: { readonly contoso: Tenant, readonly fabrikam: Tenant } = seed.tenants
export const accounts: {
  readonly adele: Account
  readonly megan: Account
  readonly alex: Account
  readonly lynne: Account
  readonly isaiah: Account
} = seed.accounts

export const allTenants: readonly Tenant[] = Object.values(tenants)
export const allAccounts: readonly Account[] = Object.values(accounts)

export function accountsOfTenant(tid: string): Account[] {
  return allAccounts.filter(account => account.tid === tid)
}

export function findAccount(oid: string): Account | undefined {
  return allAccounts.find(account => account.oid === oid)
}
