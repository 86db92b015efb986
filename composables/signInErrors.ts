export interface SignInProblem { title: string, detail: string, retry: boolean }

type Translate = (key: string, params?: Record<string, unknown>) => string

// AADSTS codes staff and operators actually meet (common.signIn.aadsts in i18n/locales); the
// README's troubleshooting table says more.
const AADSTS_KNOWN = new Set(['50020', '50034', '50057', '50058', '50076', '50105', '53003', '65001', '70000', '700016', '7000215', '7000222', '90072', '500113'])

// next-auth's and our own error codes (common.signIn.problems), and whether trying again can help.
const RETRY: Record<string, boolean> = {
  TenantNotAllowed: true,
  AccountDisabled: false,
  MissingClaims: true,
  access_denied: true,
  OAuthCallback: true,
  OAuthSignin: true,
  Callback: true,
  NotInAllowedGroup: false,
  GroupsUnavailable: true,
  GuestNotAllowed: true,
  ClaimsChallenge: true,
  SignInLoop: true,
  Configuration: false,
}

/** Turns next-auth's error codes and Entra's AADSTS descriptions into words a person can act on. */
export function describeSignInError(error: string | undefined, description: string | undefined, t: Translate): SignInProblem {
  const code = description?.match(/AADSTS(\d+)/)?.[1]
  if (code) {
    const detail = AADSTS_KNOWN.has(code) ? t(`common.signIn.aadsts.${code}`) : description!.split(/\r?\n/)[0]!.replace(/^AADSTS\d+:\s*/, '')
    return { title: t('common.signIn.refused', { code }), detail, retry: true }
  }
  const known = error && Object.hasOwn(RETRY, error) ? error : 'unknown'
  return { title: t(`common.signIn.problems.${known}.title`), detail: t(`common.signIn.problems.${known}.detail`), retry: RETRY[known] ?? true }
}
