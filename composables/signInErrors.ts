export interface SignInProblem { title: string, detail: string, retry: boolean }

// AADSTS codes staff and operators actually meet; the README's troubleshooting table says more.
const aadsts: Record<string, string> = {
  50020: 'Your account is from a directory this app does not accept.',
  50034: 'That account does not exist in this directory.',
  50057: 'Your account is disabled in Microsoft Entra ID. Contact the service desk.',
  50058: 'You are not signed in to Microsoft yet.',
  50076: 'Your organisation requires multi-factor authentication for this app.',
  50105: 'You have not been given access to this app. Ask your administrator to assign you.',
  53003: 'Conditional Access blocked this sign-in (device or location policy).',
  65001: 'The app has not been granted consent in your organisation yet.',
  70000: 'The sign-in code was not valid. Please try again.',
  700016: 'The app is not registered in this directory (wrong client or tenant id).',
  7000215: 'The app\'s client secret is wrong or expired (operators: check AZURE_AD_CLIENT_SECRET).',
  7000222: 'The app\'s client secret has expired (operators: rotate AZURE_AD_CLIENT_SECRET).',
  90072: 'Your account is from a directory this app does not accept.',
  500113: 'The app\'s redirect URI is not registered in Entra (operators: add /api/auth/callback/azure-ad).',
}

const known: Record<string, SignInProblem> = {
  TenantNotAllowed: { title: 'Your organisation is not allowed', detail: 'This assistant accepts accounts from the company\'s own directory only. Sign in with your work account.', retry: true },
  AccountDisabled: { title: 'Your account is disabled', detail: 'An administrator has disabled your access to the assistant. Contact the service desk if you think this is wrong.', retry: false },
  MissingClaims: { title: 'Sign-in incomplete', detail: 'Microsoft did not send the account details the assistant needs. Please try again.', retry: true },
  access_denied: { title: 'Sign-in cancelled', detail: 'Sign-in was cancelled or access was denied.', retry: true },
  OAuthCallback: { title: 'Sign-in failed', detail: 'The answer from Microsoft could not be verified (it may have expired). Please try again.', retry: true },
  OAuthSignin: { title: 'Sign-in could not start', detail: 'The sign-in service could not be reached. Please try again in a moment.', retry: true },
  Callback: { title: 'Sign-in failed', detail: 'Something went wrong while finishing sign-in. Please try again.', retry: true },
  NotInAllowedGroup: { title: 'You do not have access to the assistant', detail: 'Access is given through membership of certain Entra ID groups, and you are in none of them. Ask the service desk to add you to the right group.', retry: false },
  GroupsUnavailable: { title: 'Your groups could not be read', detail: 'The assistant could not read your group memberships from Microsoft Graph. Please try again in a moment; operators: check the GroupMember.Read.All permission and its admin consent.', retry: true },
  GuestNotAllowed: { title: 'Guest accounts cannot use the assistant', detail: 'You signed in as a guest from another organisation. The assistant is for the company\'s own staff; sign in with your work account of this company.', retry: true },
  ClaimsChallenge: { title: 'Additional verification needed', detail: 'Your organisation asks for more verification (such as multi-factor authentication or a compliant device) before you continue.', retry: true },
  SignInLoop: { title: 'Sign-in keeps ending at once', detail: 'You were signed in, but the session ended again straight away, twice in a row. Try again; if it keeps happening, contact the service desk with the reason below.', retry: true },
  Configuration: { title: 'Sign-in is misconfigured', detail: 'The assistant\'s sign-in settings are wrong. Operators: check the server log.', retry: false },
}

/** Turns next-auth's error codes and Entra's AADSTS descriptions into words a person can act on. */
export function describeSignInError(error: string | undefined, description: string | undefined): SignInProblem {
  const code = description?.match(/AADSTS(\d+)/)?.[1]
  if (code) {
    return { title: `Microsoft refused the sign-in (AADSTS${code})`, detail: aadsts[code] ?? description!.split(/\r?\n/)[0]!.replace(/^AADSTS\d+:\s*/, ''), retry: true }
  }
  return known[error ?? ''] ?? { title: 'Sign-in failed', detail: 'Something went wrong during sign-in. Please try again.', retry: true }
}
