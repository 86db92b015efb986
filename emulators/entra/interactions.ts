import type { IncomingMessage, ServerResponse } from 'node:http'
import type Provider from 'oidc-provider'
import type { InteractionResults } from 'oidc-provider'
import { accountsOfTenant } from './accounts.ts'
import type { Tenant } from './accounts.ts'
import { renderAccountPicker, renderErrorPage } from './pages.ts'
import { INTERACTION_PREFIX } from './routes.ts'
import type { EmulatorState } from './state.ts'
import type { TokenStore } from './store.ts'

export interface InteractionContext {
  provider: Provider
  tenant: Tenant
  state: EmulatorState
  store: TokenStore
}

const MAX_FORM_BYTES = 16 * 1024

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = ''
  for await (const chunk of req) {
    body += String(chunk)
    if (body.length > MAX_FORM_BYTES) throw new Error('form too large')
  }
  return new URLSearchParams(body)
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
  res.end(html)
}

/** GET shows the account picker, POST signs the picked account in; consent is granted unseen. */
/**
 * Picking another account than the signed-in one: Entra simply switches. oidc-provider would
 * first run an auto-submitted logout form that also revokes the previous user's grants, so
 * the old browser session is dropped and the interaction unbound from it instead.
 */
function forgetBrowserSession(store: TokenStore, interactionUid: string, sessionUid: string | undefined): void {
  for (const [id, session] of [...store.list('Session')]) {
    if (session.uid === sessionUid) store.delete('Session', id)
  }
  store.patch('Interaction', interactionUid, { session: undefined })
}

export async function handleInteraction(req: IncomingMessage, res: ServerResponse, { provider, tenant, state, store }: InteractionContext): Promise<void> {
  let details
  try {
    details = await provider.interactionDetails(req, res)
  }
  catch {
    sendHtml(res, 400, renderErrorPage({ error: 'AADSTS90014: The sign-in request expired or was already completed. Go back to the application and sign in again.' }))
    return
  }

  if (details.prompt.name === 'consent' && details.grantId) {
    await provider.interactionFinished(req, res, { consent: { grantId: details.grantId } }, { mergeWithLastSubmission: true })
    return
  }

  const accounts = accountsOfTenant(tenant.id)
  const picker = (status: number, error?: string) => sendHtml(res, status, renderAccountPicker({
    tenant,
    accounts,
    disabled: state.disabledAccounts,
    action: `/${tenant.id}${INTERACTION_PREFIX}${details.uid}`,
    error,
  }))

  if (req.method !== 'POST') {
    picker(200)
    return
  }
  const oid = (await readForm(req)).get('account')
  const account = accounts.find(candidate => candidate.oid === oid)
  if (!account) {
    picker(400, `AADSTS50034: The user account ${oid ?? ''} does not exist in the ${tenant.domain} directory.`)
    return
  }
  if (details.session?.accountId && details.session.accountId !== account.oid) {
    forgetBrowserSession(store, details.uid, details.session.uid)
  }
  const result: InteractionResults = { login: { accountId: account.oid } }
  // A requested select_account prompt is answered by this very pick.
  if (String(details.params.prompt ?? '').split(' ').includes('select_account')) result.select_account = {}
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false })
}
