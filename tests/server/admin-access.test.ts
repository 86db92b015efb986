import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpClient } from '../support/http-client'
import { accessTokenFor, call, person, type Person } from '../support/admin'
import { accounts, api, startStack, type Stack } from '../support/stack'

let stack: Stack
let admin: Person
let megan: Person

beforeAll(async () => {
  stack = await startStack()
  admin = await person(stack, accounts.adele)
  megan = await person(stack, accounts.megan)
})
afterAll(async () => {
  await stack?.stop()
})

// Every admin route, with a request that would succeed for an administrator (:megan is her id).
const routes: Array<[method: 'GET' | 'POST', path: string, json?: unknown]> = [
  ['GET', '/api/admin/access'],
  ['GET', '/api/admin/users?q=megan'],
  ['POST', '/api/admin/users/:megan/enable'],
  ['POST', '/api/admin/users/:megan/disable'],
  ['GET', '/api/admin/usage?days=7'],
  ['GET', '/api/admin/audit?action=sign_in'],
  ['GET', '/api/admin/audit/export?action=sign_in'],
  ['POST', '/api/admin/retention/run'],
]
const resolve = (path: string) => path.replace(':megan', megan.id)

describe('admin routes', () => {
  it.each(routes)('%s %s answers 401 without a session', async (method, path, json) => {
    const response = await call(stack, new HttpClient(), resolve(path), { method, json })
    expect(response.status).toBe(401)
    expect(response.json.message).toBe('Please sign in to continue.')
  })

  it.each(routes)('%s %s answers 403 JSON to a signed-in user without the Admin role', async (method, path, json) => {
    const response = await call(stack, megan.client, resolve(path), { method, json })
    expect(response.status).toBe(403)
    expect(response.headers.get('content-type')).toMatch('application/json')
    expect(response.json.message).toBe('This needs the Admin role.')
  })

  it.each(routes.filter(([method]) => method === 'GET'))('%s %s answers an administrator\'s Entra access token', async (method, path) => {
    const token = await accessTokenFor(stack, accounts.adele)
    const response = await api(new HttpClient(), `${stack.app.url}${resolve(path)}`, { method, headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(200)
  })

  it('answers 403 to a non-admin\'s Entra access token', async () => {
    const token = await accessTokenFor(stack, accounts.alex)
    const response = await api(new HttpClient(), `${stack.app.url}/api/admin/users`, { headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(403)
  })

  it('lets an administrator\'s token call the state-changing routes (scripts send no Origin)', async () => {
    const token = await accessTokenFor(stack, accounts.adele)
    const response = await api(new HttpClient(), `${stack.app.url}/api/admin/users/${megan.id}/enable`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(200)
    expect(response.json).toEqual({ id: megan.id, status: 'active', disabledAt: null })
  })

  it.each([
    ['an id that is not a UUID', 'POST', '/api/admin/users/42/disable', 400, 'Invalid id: must be a UUID'],
    ['an unknown user', 'POST', `/api/admin/users/${randomUUID()}/disable`, 404, 'User not found'],
    ['a period other than 7, 30 or 90 days', 'GET', '/api/admin/usage?days=14', 400, 'Invalid days: must be 7, 30 or 90'],
    ['an unknown action filter', 'GET', '/api/admin/audit?action=drop_table', 400, 'Invalid action'],
    ['a date that is not one', 'GET', '/api/admin/audit/export?from=yesterday', 400, 'Invalid from: must be a date such as 2025-03-01'],
    ['a garbled cursor', 'GET', '/api/admin/users?cursor=garbage', 400, 'Invalid cursor: start again from the first page.'],
  ] as const)('answers %s (%s %s) with %i and a sentence', async (_, method, path, status, message) => {
    const response = await call(stack, admin.client, path, { method })
    expect(response.status).toBe(status)
    expect(response.json.message).toContain(message)
  })

  it('refuses to let an administrator disable their own account', async () => {
    const response = await call(stack, admin.client, `/api/admin/users/${admin.id}/disable`, { method: 'POST' })
    expect(response.status).toBe(409)
    expect(response.json.message).toBe('You cannot disable your own account; ask another administrator.')
  })
})

describe('admin pages', () => {
  it.each(['/admin', '/admin/users', '/admin/usage', '/admin/audit'])('%s shows a not-allowed page, with 403, to staff without the role', async (path) => {
    const response = await megan.client.fetch(`${stack.app.url}${path}`)
    expect(response.status).toBe(403)
    const html = await response.text()
    expect(html).toContain('data-testid="admin-not-allowed"')
    expect(html).toContain('You need the Admin role')
  })

  it.each([
    ['/admin/users', 'Users'],
    ['/admin/usage', 'Usage'],
    ['/admin/audit', 'Audit log'],
  ])('%s renders for an administrator', async (path, heading) => {
    const response = await admin.client.fetch(`${stack.app.url}${path}`)
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).not.toContain('data-testid="admin-not-allowed"')
    expect(html).toContain(`>${heading}</h1>`)
  })

  it('sends a visitor without a session to sign-in', async () => {
    const response = await new HttpClient().fetch(`${stack.app.url}/admin/users`)
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toMatch('/api/session/sign-in?callbackUrl=%2Fadmin%2Fusers')
  })
})
