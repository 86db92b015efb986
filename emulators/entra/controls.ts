import type { IncomingMessage, ServerResponse } from 'node:http'
import { allAccounts, findAccount } from './accounts.ts'
import { resetStats } from './state.ts'
import type { EmulatorState } from './state.ts'
import type { TokenStore } from './store.ts'

// Test controls under /_emulator/: JSON in, JSON out. Never affected by the simulated outage.

export const CONTROL_PREFIX = '/_emulator/'

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = ''
  for await (const chunk of req) text += String(chunk)
  if (!text.trim()) return {}
  const parsed: unknown = JSON.parse(text)
  return parsed && typeof parsed === 'object' ? parsed as Record<string, unknown> : {}
}

/** Entra's "revoke sign-in sessions": every grant, refresh token and browser session of the user. */
function revokeAccount(oid: string, stores: TokenStore[], state: EmulatorState): number {
  let grants = 0
  for (const store of stores) {
    for (const [grantId, grant] of [...store.list('Grant')]) {
      if (grant.accountId !== oid) continue
      for (const refreshTokenId of store.revokeGrant(grantId)) state.revokedRefreshTokens.add(refreshTokenId)
      grants += 1
    }
    for (const [sessionId, session] of [...store.list('Session')]) {
      if (session.accountId === oid) store.delete('Session', sessionId)
    }
  }
  return grants
}

function accountView(state: EmulatorState) {
  return allAccounts.map(account => ({ ...account, disabled: state.disabledAccounts.has(account.oid) }))
}

export async function handleControl(req: IncomingMessage, res: ServerResponse, state: EmulatorState, stores: TokenStore[]): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://emulator').pathname.slice(CONTROL_PREFIX.length)
  const post = req.method === 'POST'
  try {
    if (path === 'stats' && !post) return sendJson(res, 200, { tokenRequests: state.tokenRequests })
    if (path === 'stats/reset' && post) {
      resetStats(state)
      return sendJson(res, 200, { tokenRequests: state.tokenRequests })
    }
    if (path === 'accounts' && !post) return sendJson(res, 200, { accounts: accountView(state) })
    const accountSwitch = /^accounts\/([^/]+)\/(claims-challenge|refuse-refresh)$/.exec(path)
    if (accountSwitch && post) {
      const [, oid = '', name] = accountSwitch
      if (!findAccount(oid)) return sendJson(res, 404, { error: 'not_found', message: `no seeded account ${oid}` })
      const { on } = await readJson(req)
      if (typeof on !== 'boolean') return sendJson(res, 400, { error: 'invalid_request', message: 'on must be a boolean' })
      const set = name === 'claims-challenge' ? state.claimsChallenges : state.refusedRefreshes
      if (on) set.add(oid)
      else set.delete(oid)
      return sendJson(res, 200, { oid, [name === 'claims-challenge' ? 'claimsChallenge' : 'refuseRefresh']: on })
    }
    if (path === 'graph/stats' && !post) return sendJson(res, 200, { requests: state.graphRequests })
    const accountAction = /^accounts\/([^/]+)\/(disable|enable|revoke)$/.exec(path)
    if (accountAction && post) {
      const [, oid = '', action] = accountAction
      if (!findAccount(oid)) return sendJson(res, 404, { error: 'not_found', message: `no seeded account ${oid}` })
      if (action === 'disable') state.disabledAccounts.add(oid)
      if (action === 'enable') state.disabledAccounts.delete(oid)
      // Tokens issued up to this second are no longer good for CAE-aware resources (Graph, OBO).
      if (action === 'revoke') state.revokedAt.set(oid, Math.floor(Date.now() / 1000))
      const revokedGrants = action === 'revoke' ? revokeAccount(oid, stores, state) : undefined
      return sendJson(res, 200, { oid, disabled: state.disabledAccounts.has(oid), ...(revokedGrants === undefined ? {} : { revokedGrants }) })
    }
    if (path === 'settings') {
      if (post) {
        const { accessTokenTtlSeconds, reportedExpiresInSeconds } = await readJson(req)
        if (accessTokenTtlSeconds !== undefined && (!Number.isInteger(accessTokenTtlSeconds) || (accessTokenTtlSeconds as number) <= 0)) {
          return sendJson(res, 400, { error: 'invalid_request', message: 'accessTokenTtlSeconds must be a positive integer' })
        }
        if (reportedExpiresInSeconds !== undefined && reportedExpiresInSeconds !== null && (!Number.isInteger(reportedExpiresInSeconds) || (reportedExpiresInSeconds as number) < 0)) {
          return sendJson(res, 400, { error: 'invalid_request', message: 'reportedExpiresInSeconds must be a whole number of seconds, or null' })
        }
        if (accessTokenTtlSeconds !== undefined) state.accessTokenTtlSeconds = accessTokenTtlSeconds as number
        if (reportedExpiresInSeconds !== undefined) state.reportedExpiresInSeconds = reportedExpiresInSeconds as number | null
      }
      return sendJson(res, 200, { accessTokenTtlSeconds: state.accessTokenTtlSeconds, reportedExpiresInSeconds: state.reportedExpiresInSeconds })
    }
    if (path === 'outage') {
      if (post) {
        const { on } = await readJson(req)
        if (typeof on !== 'boolean') return sendJson(res, 400, { error: 'invalid_request', message: 'on must be a boolean' })
        state.outage = on
      }
      return sendJson(res, 200, { on: state.outage })
    }
    sendJson(res, 404, { error: 'not_found', message: `no control ${req.method} ${CONTROL_PREFIX}${path}` })
  }
  catch (error) {
    sendJson(res, 400, { error: 'invalid_request', message: error instanceof Error ? error.message : String(error) })
  }
}
