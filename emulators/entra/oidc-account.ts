import { errors } from 'oidc-provider'
import type { KoaContext } from 'oidc-provider'
import { directoryClaims, findAccount } from './accounts.ts'
import type { EmulatorState } from './state.ts'

export const DISABLED_DESCRIPTION = 'AADSTS50057: User account is disabled. The user object in Active Directory backing this account has been disabled. An admin can re-enable this account through PowerShell.'

/** oidc-provider's `findAccount`: the seeded accounts of one tenant, with Entra's ID token claims. */
export function createFindAccount(tid: string, state: EmulatorState, graphHost: string) {
  return async (ctx: KoaContext, id: string) => {
    const account = findAccount(id)
    if (!account || account.tid !== tid) return undefined
    if (state.disabledAccounts.has(id)) {
      // A signed-in browser of a disabled user must not stay stuck on the error: forget the
      // session so that the next sign-in shows the account picker again.
      if (ctx.oidc?.route === 'authorization' || ctx.oidc?.route === 'resume') await ctx.oidc.session.destroy()
      throw new errors.CustomOIDCProviderError('invalid_grant', DISABLED_DESCRIPTION)
    }
    return {
      accountId: account.oid,
      async claims() {
        return {
          sub: account.oid,
          oid: account.oid,
          tid: account.tid,
          ver: '2.0',
          name: account.name,
          preferred_username: account.email,
          email: account.email,
          ...(account.roles.length ? { roles: account.roles } : {}),
          ...directoryClaims(account, graphHost),
        }
      },
    }
  }
}
