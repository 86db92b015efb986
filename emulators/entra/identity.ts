import { createHash } from 'node:crypto'

/**
 * Entra's `sub` is per application, never the `oid`: the same person has a different `sub` in
 * every app, so an app that keys users by `sub` breaks when it shares users with another app.
 */
export function pairwiseSubject(clientId: string, oid: string): string {
  return createHash('sha256').update(clientId + oid).digest('base64url')
}

/** A stable GUID standing in for the object id of an app's service principal in a tenant. */
export function servicePrincipalId(tid: string, clientId: string): string {
  const hex = createHash('sha256').update(`${tid}:${clientId}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}
