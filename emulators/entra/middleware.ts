import type { KoaContext, Middleware, OidcKoaContext } from 'oidc-provider'
import { entraTokenError } from './entra-errors.ts'
import { routes } from './routes.ts'
import { claimsChallenge, countTokenRequest } from './state.ts'
import type { EmulatorState } from './state.ts'

// Koa middleware run around oidc-provider's own routes (`provider.use`), where its
// configuration has no hook for the Entra behaviour wanted.

function isTokenRoute(ctx: KoaContext): ctx is OidcKoaContext {
  return ctx.oidc?.route === 'token'
}

/** Counts token requests per grant type, failed ones included (a retry storm must show). */
export function countTokenRequests(state: EmulatorState): Middleware {
  return async (ctx, next) => {
    try {
      await next()
    }
    finally {
      if (isTokenRoute(ctx)) countTokenRequest(state, ctx.oidc.body?.grant_type)
    }
  }
}

/** Entra-shaped token responses: AADSTS errors, and `ext_expires_in` on success. */
export function entraTokenResponses(state: EmulatorState, tenantName: string): Middleware {
  return async (ctx, next) => {
    await next()
    if (!isTokenRoute(ctx) || !ctx.body || typeof ctx.body !== 'object') return
    const body = ctx.body as Record<string, unknown>
    if (typeof body.error === 'string') {
      const params = ctx.oidc.body ?? {}
      // A Conditional Access challenge travels with the error: the app sends it to authorize.
      const challenge = typeof body.claims === 'string' ? { suberror: body.suberror, claims: body.claims } : {}
      ctx.body = { ...entraTokenError({ error: body.error, error_description: body.error_description as string | undefined }, {
        grantType: params.grant_type,
        detail: ctx.state.errorDetail as string | undefined,
        refreshTokenRevoked: params.grant_type === 'refresh_token' && state.revokedRefreshTokens.has(String(params.refresh_token)),
        clientId: ctx.oidc.client?.clientId ?? params.client_id,
        tenantName,
        correlationId: ctx.get('client-request-id') || undefined,
      }), ...challenge }
    }
    else if (typeof body.expires_in === 'number') {
      const expiresIn = state.reportedExpiresInSeconds ?? body.expires_in
      ctx.body = { ...body, expires_in: expiresIn, ext_expires_in: expiresIn }
    }
  }
}

export interface EndSessionOptions {
  sessionCookie: string
  /** Registered post-logout URIs per client id, to accept a logout that names no client. */
  postLogoutRedirectUris: Map<string, string[]>
}

/**
 * Entra signs out and redirects straight away; oidc-provider would show a confirmation form.
 * So once it has validated the request (client, registered post_logout_redirect_uri) and
 * rendered that form, the session is ended here and the form replaced by the redirect.
 */
export function endSessionWithoutConfirmation({ sessionCookie, postLogoutRedirectUris }: EndSessionOptions): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === routes.end_session) nameTheClient(ctx, postLogoutRedirectUris)
    await next()
    if (ctx.oidc?.route !== 'end_session' || ctx.status !== 200) return
    const { session, cookies } = ctx.oidc
    const { postLogoutRedirectUri, state } = session.state ?? {}
    await session.destroy()
    cookies.set(sessionCookie, null, { httpOnly: true, sameSite: 'lax', overwrite: true })
    const target = typeof postLogoutRedirectUri === 'string'
      ? new URL(postLogoutRedirectUri)
      : new URL(ctx.oidc.urlFor('end_session_success'))
    if (typeof postLogoutRedirectUri === 'string' && typeof state === 'string') target.searchParams.set('state', state)
    ctx.status = 302
    ctx.redirect(target.href)
  }
}

/**
 * Entra accepts a bare `post_logout_redirect_uri`; oidc-provider only honours it when the
 * request names the client, so the client that registered that URI is named for it.
 */
function nameTheClient(ctx: KoaContext, postLogoutRedirectUris: Map<string, string[]>): void {
  const query = new URLSearchParams(ctx.querystring)
  const uri = query.get('post_logout_redirect_uri')
  if (!uri || query.has('client_id') || query.has('id_token_hint')) return
  const clientId = [...postLogoutRedirectUris].find(([, uris]) => uris.includes(uri))?.[0]
  if (!clientId) return
  query.set('client_id', clientId)
  ctx.querystring = query.toString()
}

/**
 * Refreshes Entra turns down for one account: "refuse refreshes" (invalid_grant, as after a
 * password reset) or a Conditional Access step-up (interaction_required with a `claims` challenge).
 * Runs inside entraTokenResponses, so the errors get Entra's shape.
 */
export function refreshPolicies(state: EmulatorState): Middleware {
  return async (ctx, next) => {
    await next()
    if (!isTokenRoute(ctx) || ctx.oidc.body?.grant_type !== 'refresh_token' || ctx.status !== 200) return
    const body = ctx.body as Record<string, unknown>
    const payload = typeof body.access_token === 'string' ? body.access_token.split('.')[1] : undefined
    const oid = payload ? String(JSON.parse(Buffer.from(payload, 'base64url').toString()).oid) : ''
    if (state.refusedRefreshes.has(oid)) {
      ctx.status = 400
      ctx.body = { error: 'invalid_grant', error_description: 'AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.' }
    }
    else if (state.claimsChallenges.has(oid)) {
      ctx.status = 400
      ctx.body = { error: 'interaction_required', error_description: 'AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access this application.', suberror: 'basic_action', claims: claimsChallenge(oid) }
    }
  }
}
