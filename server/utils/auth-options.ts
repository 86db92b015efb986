import type { AuthOptions, Profile } from 'next-auth'
import AzureADProviderModule from 'next-auth/providers/azure-ad'

const logger = taggedLogger('auth')

// A CommonJS module: under Node's ESM loader its default import is the whole `exports` object.
const AzureADProvider = ((AzureADProviderModule as unknown as { default?: typeof AzureADProviderModule }).default ?? AzureADProviderModule)

/** Sends the browser to our error page, after recording the refusal and whom it concerned. */
async function refuse(error: string, claims?: EntraClaims, userId?: string): Promise<string> {
  const account = claims?.tid && claims.oid ? `${claims.tid}/${claims.oid}` : null
  await recordAudit({ action: 'sign_in', outcome: 'refused', reason: error, actorId: userId, target: { type: 'entra_account', id: account } })
  return `/auth/error?error=${error}`
}

let options: AuthOptions | undefined

// The jwt callback's session check, for the session callback of the same request (next-auth hands
// it the token object the jwt callback returned): one read of the session row, not two.
const checkedWith = new WeakMap<object, SessionCheck>()

// The groups the signIn callback resolved (perhaps from Graph), for the jwt callback of the same
// sign-in: next-auth hands both the same account object.
const groupsOfSignIn = new WeakMap<object, string[]>()

/** The groups of a signing-in user, or the refusal code when they cannot be read. */
async function groupsAtSignIn(claims: EntraClaims, accessToken: string | undefined): Promise<string[] | ClaimsChallengeError | 'GroupsUnavailable'> {
  try {
    return await resolveGroups(claims, accessToken)
  }
  catch (error) {
    logger.warn(`Could not read the groups of ${claims.tid}/${claims.oid}: ${error instanceof Error ? error.message : String(error)}`)
    return error instanceof ClaimsChallengeError ? error : 'GroupsUnavailable'
  }
}

/** next-auth's options: the Azure AD provider pointed at the configured authority, and our callbacks. */
export function useAuthOptions(): AuthOptions {
  options ??= build()
  return options
}

function build(): AuthOptions {
  const config = useServerConfig()
  const { azureAd } = config
  return {
    secret: config.auth.secret,
    session: { strategy: 'jwt', maxAge: 14 * 24 * 3600 },
    useSecureCookies: useSecureCookies(),
    providers: [
      AzureADProvider({
        clientId: azureAd.clientId,
        clientSecret: azureAd.clientSecret,
        tenantId: azureAd.tenantId,
        // The provider would hard-code login.microsoftonline.com; sovereign clouds and the local
        // emulator differ only in this host.
        wellKnown: discoveryUrl(),
        authorization: { params: { scope: azureAd.scope, claims: claimsParameter(), ...(azureAd.prompt ? { prompt: azureAd.prompt } : {}) } },
        checks: ['pkce', 'state', 'nonce'],
        httpOptions: { timeout: 10_000 },
        // Keyed by oid and fetching nothing: the stock profile() calls Graph for a photo, which
        // fails sign-in whenever Graph is slow or blocked.
        profile(profile: EntraClaims) {
          return { id: profile.oid ?? '', name: profile.name, email: profile.email ?? profile.preferred_username }
        },
      }),
    ],
    pages: { signIn: '/api/session/sign-in', error: '/auth/error' },
    callbacks: {
      async signIn({ profile, account }) {
        const claims = profile as (Profile & EntraClaims) | undefined
        if (!claims?.tid || !claims.oid) return refuse('MissingClaims')
        if (!isTenantAllowed(claims.tid)) {
          logger.warn(`Refused sign-in from tenant ${claims.tid}: not in AZURE_AD_ALLOWED_TENANTS`)
          return refuse('TenantNotAllowed', claims)
        }
        const existing = await findUserByEntraId(claims.tid, claims.oid)
        if (existing?.disabledAt) {
          logger.warn(`Refused sign-in of disabled user ${existing.id}`)
          return refuse('AccountDisabled', claims, existing.id)
        }
        if (isGuest(claims) && !azureAd.allowGuests) {
          logger.warn(`Refused sign-in of guest ${claims.tid}/${claims.oid}: ALLOW_GUESTS is off`)
          return refuse('GuestNotAllowed', claims, existing?.id)
        }
        const groups = await groupsAtSignIn(claims, account?.access_token)
        if (typeof groups === 'string') return refuse(groups, claims, existing?.id)
        // Conditional Access wants more before Graph answers: straight back to Entra with the challenge.
        if (groups instanceof ClaimsChallengeError) return `/api/session/sign-in?${new URLSearchParams({ callbackUrl: '/', claims: groups.claims })}`
        if (!isInAllowedGroup(groups)) {
          logger.warn(`Refused sign-in of ${claims.tid}/${claims.oid}: in none of ACCESS_ALLOWED_GROUPS`)
          return refuse('NotInAllowedGroup', claims, existing?.id)
        }
        if (account) groupsOfSignIn.set(account, groups)
        return true
      },
      async jwt({ token, account, profile }) {
        if (account && profile) {
          const claims = profile as EntraClaims
          const user = await upsertUser({
            tenantId: claims.tid!,
            objectId: claims.oid!,
            email: claims.email ?? claims.preferred_username,
            displayName: claims.name,
            isGuest: isGuest(claims),
          }, { signedIn: true })
          const sid = await createAuthSession({
            userId: user.id,
            accessToken: account.access_token!,
            refreshToken: account.refresh_token,
            expiresAt: new Date((account.expires_at ?? Math.floor(Date.now() / 1000) + 300) * 1000),
            groups: groupsOfSignIn.get(account) ?? [],
          })
          logger.info(`User ${user.id} signed in`)
          // In the background: the photo is not worth a slower sign-in, and never goes in the cookie.
          void refreshUserPhoto(user.id, account.access_token!)
          await recordAudit({ action: 'sign_in', actorId: user.id, target: { type: 'user', id: user.id } })
          const signedIn: SessionToken = { sid, uid: user.id, name: user.displayName, roles: claims.roles ?? [] }
          return signedIn
        }
        const session = token as SessionToken
        if (!session.sid) throw new Error('Session token without a session id')
        const check = await checkAuthSession(session.sid)
        const { error: _previous, ...rest } = session
        // Disabled by an administrator: the session ends here (and in requireUser), and pages send
        // the user to the error page that says so instead of through sign-in again.
        if (check.status === 'active' && check.userDisabled) {
          await endAuthSession(session.sid, 'AccountDisabled')
          return { ...rest, error: 'AccountDisabled' }
        }
        if (check.status === 'ended') return { ...rest, error: check.reason === 'AccountDisabled' ? 'AccountDisabled' : 'RefreshAccessTokenError' }
        if (check.status === 'unavailable') return { ...rest, error: 'SignInServiceUnavailable' }
        checkedWith.set(rest, check)
        return rest
      },
      async session({ session, token }) {
        const t = token as SessionToken
        const result: Record<string, unknown> = {
          user: { id: t.uid, name: t.name ?? null },
          roles: t.roles ?? [],
          expires: session.expires,
        }
        if (t.error) result.error = t.error
        if (azureAd.exposeAccessToken && !t.error) {
          const check = checkedWith.get(t) ?? await checkAuthSession(t.sid)
          if (check.status === 'active') result.accessToken = check.readAccessToken()
        }
        return result as never
      },
      redirect({ url, baseUrl }) {
        if (url.startsWith('/') && !url.startsWith('//')) return `${baseUrl.replace(/\/api\/auth$/, '')}${url}`
        try {
          if (new URL(url).origin === new URL(baseUrl).origin) return url
        }
        catch {
          // fall through to the home page
        }
        return new URL(baseUrl).origin
      },
    },
    events: {
      async signOut({ token }) {
        const sid = (token as SessionToken | null)?.sid
        if (sid) await deleteAuthSession(sid)
      },
    },
    // next-auth's own logger prints whole error objects (with token responses); keep codes only.
    logger: {
      error: (code, metadata) => {
        const m = metadata as { message?: string, error?: { message?: string } } | undefined
        logger.error(`next-auth ${code}: ${m?.error?.message ?? m?.message ?? ''}`)
      },
      warn: code => logger.warn(`next-auth ${code}`),
      debug: () => {},
    },
  }
}
