import { AuthHandler } from 'next-auth/core'
import type { RequestInternal } from 'next-auth'
import { z } from 'zod'

const query = z.object({
  callbackUrl: z.string().max(2000).optional(),
  prompt: z.enum(['select_account', 'login']).optional(),
  // next-auth sends its own sign-in failures here (pages.signIn); show them, never retry in a loop.
  error: z.string().max(100).optional(),
  // "Try again" on the loop page: start counting the rounds afresh.
  fresh: z.enum(['1']).optional(),
  // A Conditional Access challenge met at sign-in itself (reading the groups from Graph).
  claims: z.string().max(4000).optional(),
})

/**
 * Starts sign-in with one redirect straight to Entra: no provider list, no page of ours. It runs
 * next-auth's csrf + signin actions on the server and hands their state/PKCE/nonce cookies to the
 * browser, which sidebase's signIn() cannot do when it is called during server-side rendering.
 */
export default defineEventHandler(async (event) => {
  const { callbackUrl, prompt, error, fresh, claims: claimsParam } = queryWith(event, query)
  if (error) return sendRedirect(event, `/auth/error?${new URLSearchParams({ error })}`)
  const ended = await takeSessionEnd(event)
  if (isSignInLoop(event, { reset: !!fresh, endedAtOnce: ended?.atOnce ?? false })) {
    const reason = ended?.reason ?? 'SessionEndedAtOnce'
    taggedLogger('auth').warn(`Stopped a sign-in loop: the session ended at once twice in a minute (${reason})`)
    return sendRedirect(event, `/auth/error?${new URLSearchParams({ error: 'SignInLoop', description: `Reason: ${reason}` })}`)
  }
  // Entra's step-up: the authorize request carries the challenge so that the user can satisfy it.
  const claims = claimsParam ?? ended?.claims ?? undefined
  const origin = publicOrigin(event)
  // Only same-site paths: an open redirect here would be a phishing gift.
  const target = callbackUrl?.startsWith('/') && !callbackUrl.startsWith('//') ? callbackUrl : '/'
  const options = useAuthOptions()
  const cookies = parseCookies(event)
  const base = { host: `${origin}/api/auth`, headers: getHeaders(event) as Record<string, string>, cookies }

  const csrf = await AuthHandler({ req: { ...base, action: 'csrf', method: 'GET', query: {} } as RequestInternal, options })
  for (const cookie of csrf.cookies ?? []) cookies[cookie.name] = cookie.value
  const signin = await AuthHandler({
    req: {
      ...base,
      cookies,
      action: 'signin',
      providerId: 'azure-ad',
      method: 'POST',
      body: { csrfToken: (csrf.body as { csrfToken: string }).csrfToken, callbackUrl: `${origin}${target}` },
      query: { ...(prompt ? { prompt } : {}), ...(claims ? { claims: claimsParameter(claims) } : {}) },
    } as RequestInternal,
    options,
  })
  for (const cookie of [...(csrf.cookies ?? []), ...(signin.cookies ?? [])]) {
    setCookie(event, cookie.name, cookie.value, cookie.options as Parameters<typeof setCookie>[3])
  }
  setResponseHeader(event, 'Cache-Control', 'no-store')
  if (!signin.redirect) throw createError({ statusCode: 502, statusMessage: 'Bad Gateway', message: say('auth.signInNotStarted', undefined, event) })
  const failed = new URL(signin.redirect, origin)
  if (failed.origin === origin && failed.searchParams.has('error')) {
    return sendRedirect(event, `/auth/error?${new URLSearchParams({ error: failed.searchParams.get('error')! })}`)
  }
  return sendRedirect(event, signin.redirect, 302)
})
