import type { Account, Tenant } from './accounts.ts'

// The few HTML pages a browser sees. Plain strings with inline CSS: the emulator must run
// from source with nothing but Node.

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`)
}

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
    background:#f2f2f2;font-family:"Segoe UI",system-ui,-apple-system,sans-serif;color:#1b1b1b}
  main{width:100%;max-width:440px;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
  .brand{display:flex;align-items:center;gap:8px;font-size:15px;font-weight:600;color:#5e5e5e}
  .logo{display:grid;grid-template-columns:repeat(2,9px);gap:2px}
  .logo span{width:9px;height:9px}
  h1{font-size:24px;font-weight:600;margin:16px 0 8px}
  p{margin:0 0 16px;font-size:15px}
  .note{font-size:13px;color:#605e5c;background:#fff4ce;border-left:3px solid #c19c00;padding:8px 12px}
  .error{font-size:14px;color:#a4262c;background:#fde7e9;border-left:3px solid #a4262c;padding:8px 12px}
  form{margin:0}
  button.account{display:flex;width:100%;align-items:center;gap:12px;padding:12px 8px;border:0;
    border-top:1px solid #e1dfdd;background:none;text-align:left;font:inherit;cursor:pointer}
  button.account:last-of-type{border-bottom:1px solid #e1dfdd}
  button.account:hover,button.account:focus-visible{background:#f3f2f1;outline:none}
  .avatar{flex:none;width:40px;height:40px;border-radius:50%;background:#0067b8;color:#fff;
    display:flex;align-items:center;justify-content:center;font-weight:600}
  .who{display:flex;flex-direction:column;min-width:0}
  .who strong{font-weight:600;font-size:15px}
  .who small{color:#605e5c;font-size:13px;overflow:hidden;text-overflow:ellipsis}
  .role{margin-left:auto;font-size:12px;color:#0067b8;border:1px solid #0067b8;border-radius:10px;padding:1px 8px}
`

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" type="image/svg+xml" href="/favicon.svg">
<style>${STYLE}</style>
</head>
<body>
<main>
<div class="brand"><span class="logo" aria-hidden="true"><span style="background:#f25022"></span><span style="background:#7fba00"></span><span style="background:#00a4ef"></span><span style="background:#ffb900"></span></span>Entra ID emulator</div>
${body}
</main>
</body>
</html>`
}

function initials(name: string): string {
  return name.split(' ').map(part => part[0] ?? '').join('').slice(0, 2).toUpperCase()
}

export interface PickerOptions {
  tenant: Tenant
  accounts: Account[]
  disabled: Set<string>
  action: string
  error?: string
}

/** The account picker: one form, one submit button per account named `account` carrying its oid. */
export function renderAccountPicker({ tenant, accounts, disabled, action, error }: PickerOptions): string {
  const buttons = accounts.map(account => `
<button class="account" type="submit" name="account" value="${escapeHtml(account.oid)}">
  <span class="avatar" aria-hidden="true">${escapeHtml(initials(account.name))}</span>
  <span class="who"><strong>${escapeHtml(account.name)}</strong><small>${escapeHtml(account.email)}${disabled.has(account.oid) ? ' (disabled)' : ''}</small></span>
  ${account.roles.map(role => `<span class="role">${escapeHtml(role)}</span>`).join('')}
</button>`).join('')
  return page('Sign in - Entra ID emulator', `
<h1>Pick an account</h1>
<p>Sign in to ${escapeHtml(tenant.name)} (${escapeHtml(tenant.domain)})</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">${buttons}
</form>
<p class="note" style="margin-top:24px">This is a local emulator of Microsoft Entra ID for development and tests. No password is asked and no real account is used.</p>`)
}

export function renderSignedOut(): string {
  return page('Signed out - Entra ID emulator', `
<h1>You signed out of your account</h1>
<p>It's a good idea to close all browser windows.</p>
<p class="note">This is a local emulator of Microsoft Entra ID.</p>`)
}

export function renderErrorPage(details: Record<string, unknown>): string {
  const rows = Object.entries(details).map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(String(value))}</p>`).join('')
  return page('Sign in error - Entra ID emulator', `
<h1>Sorry, but we're having trouble signing you in.</h1>
<div class="error">${rows}</div>`)
}
