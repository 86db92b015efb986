import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpClient } from '../support/http-client'
import { accessTokenFor, auditEntries, call, person, readExport, type AuditEntry, type Person } from '../support/admin'
import { seedAudit } from '../support/seed'
import { accounts, api, entraControl, signIn, startStack, type Stack } from '../support/stack'

let stack: Stack
let admin: Person

beforeAll(async () => {
  stack = await startStack({ servers: 2 })
  admin = await person(stack, accounts.adele)
})
afterAll(async () => {
  await stack?.stop()
})

const audit = (filters: Record<string, string>) => auditEntries(stack, admin.client, filters)
const since = () => new Date(Date.now() - 1).toISOString()

describe('the audit log records', () => {
  it('one sign-in, with the user as actor and the request it came with', async () => {
    const from = since()
    const megan = await person(stack, accounts.megan)
    const entries = await audit({ action: 'sign_in', user: megan.id, from })
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ actorId: megan.id, actorName: 'Megan Bowen', outcome: 'success', reason: null, targetType: 'user', targetId: megan.id })
    expect(entries[0]!.ip).toMatch(/127\.0\.0\.1/)
    expect(entries[0]!.requestId).toMatch(/^[\w.:-]{8,}$/)
  })

  it('one refused sign-in of a disabled user, with the reason', async () => {
    const lynne = await person(stack, accounts.lynne)
    expect((await call(stack, admin.client, `/api/admin/users/${lynne.id}/disable`, { method: 'POST' })).status).toBe(200)
    const from = since()
    const { back } = await signIn(stack.app, accounts.lynne)
    expect(back.url).toBe(`${stack.app.url}/auth/error?error=AccountDisabled`)
    const entries = await audit({ action: 'sign_in', user: lynne.id, from })
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ actorId: lynne.id, outcome: 'refused', reason: 'AccountDisabled', targetType: 'entra_account', targetId: `${accounts.lynne.tid}/${accounts.lynne.oid}` })
    await call(stack, admin.client, `/api/admin/users/${lynne.id}/enable`, { method: 'POST' })
  })

  it('one refused sign-in from a tenant outside the allowlist, without an actor', async () => {
    // An app registration in Fabrikam that admits Contoso staff only. PGlite belongs to one
    // process, so on PGlite this second server gets a database of its own.
    const pglite: Record<string, string> = stack.db.kind === 'pglite' ? { PGLITE_DATA_DIR: mkdtempSync(join(tmpdir(), 'assistant-pglite-')) } : {}
    const fabrikamApp = await stack.startApp({ AZURE_AD_TENANT_ID: accounts.isaiah.tid, AZURE_AD_ALLOWED_TENANTS: accounts.megan.tid, ...pglite })
    try {
      const from = since()
      const { back } = await signIn(fabrikamApp, accounts.isaiah)
      expect(back.url).toBe(`${fabrikamApp.url}/auth/error?error=TenantNotAllowed`)
      // Read back through that server, as a Contoso administrator's script would.
      const token = await accessTokenFor(stack, accounts.adele)
      const page = await api(new HttpClient(), `${fabrikamApp.url}/api/admin/audit?${new URLSearchParams({ action: 'sign_in', from })}`, { headers: { authorization: `Bearer ${token}` } })
      expect(page.status).toBe(200)
      const entries = (page.json.entries as AuditEntry[]).filter(e => e.outcome === 'refused')
      expect(entries).toHaveLength(1)
      expect(entries[0]).toMatchObject({ actorId: null, reason: 'TenantNotAllowed', targetType: 'entra_account', targetId: `${accounts.isaiah.tid}/${accounts.isaiah.oid}` })
    }
    finally {
      await fabrikamApp.stop()
      if (pglite.PGLITE_DATA_DIR) rmSync(pglite.PGLITE_DATA_DIR, { recursive: true, force: true })
    }
  })

  it('one sign-out', async () => {
    const alex = await person(stack, accounts.alex)
    const from = since()
    expect((await call(stack, alex.client, '/api/session/sign-out', { method: 'POST' })).status).toBe(200)
    const entries = await audit({ action: 'sign_out', user: alex.id, from })
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ actorId: alex.id, outcome: 'success' })
  })

  it('one ended session when Entra refuses the refresh, however many requests notice', async () => {
    // A 2 s token is due (min(60 s, lifetime / 2) before expiry) a second after it is issued.
    await entraControl(stack.entra, 'settings', { accessTokenTtlSeconds: 2 })
    const alex = await person(stack, accounts.alex)
    await entraControl(stack.entra, 'settings', { accessTokenTtlSeconds: 3600 })
    await new Promise(resolve => setTimeout(resolve, 1100))
    await entraControl(stack.entra, `accounts/${accounts.alex.oid}/revoke`)
    const from = since()
    const responses = await Promise.all(Array.from({ length: 5 }, () => api(alex.client, `${stack.app.url}/api/me`)))
    expect(responses.map(r => r.status)).toEqual([401, 401, 401, 401, 401])
    const entries = await audit({ action: 'session_ended', user: alex.id, from })
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ actorId: alex.id, outcome: 'failure', reason: 'RefreshAccessTokenError' })
  })

  it('one chat created and one deleted, with the client IP from X-Forwarded-For and the user agent', async () => {
    const megan = await person(stack, accounts.megan)
    const chatId = randomUUID()
    const headers = { 'x-forwarded-for': '203.0.113.7, 10.0.0.1', 'user-agent': 'AuditTest/1.0' }
    const from = since()
    for (const text of ['First question', 'A follow-up in the same chat']) {
      const sent = await call(stack, megan.client, `/api/chats/${chatId}/messages`, { method: 'POST', headers, json: { message: { id: randomUUID(), role: 'user', parts: [{ type: 'text', text }] } } })
      expect(sent.status).toBe(200)
    }
    expect((await call(stack, megan.client, `/api/chats/${chatId}`, { method: 'DELETE', headers })).status).toBe(204)
    // Deleting it again is a 404, and not audited.
    expect((await call(stack, megan.client, `/api/chats/${chatId}`, { method: 'DELETE', headers })).status).toBe(404)

    const created = await audit({ action: 'chat_created', user: megan.id, from })
    const deleted = await audit({ action: 'chat_deleted', user: megan.id, from })
    expect(created).toHaveLength(1)
    expect(deleted).toHaveLength(1)
    for (const entry of [...created, ...deleted]) {
      expect(entry).toMatchObject({ actorId: megan.id, outcome: 'success', targetType: 'chat', targetId: chatId, ip: '203.0.113.7', userAgent: 'AuditTest/1.0' })
    }
    // No message text anywhere in the entries.
    expect(JSON.stringify([...created, ...deleted])).not.toMatch(/question|follow-up/)
  })

  it('one entry for each admin action on a user, with the admin as actor', async () => {
    const megan = await person(stack, accounts.megan)
    const from = since()
    await call(stack, admin.client, `/api/admin/users/${megan.id}/disable`, { method: 'POST' })
    await call(stack, admin.client, `/api/admin/users/${megan.id}/enable`, { method: 'POST' })
    const disabled = await audit({ action: 'user_disabled', from })
    const enabled = await audit({ action: 'user_enabled', from })
    expect(disabled).toHaveLength(1)
    expect(enabled).toHaveLength(1)
    for (const entry of [...disabled, ...enabled]) {
      expect(entry).toMatchObject({ actorId: admin.id, actorName: 'Adele Vance', outcome: 'success', targetType: 'user', targetId: megan.id })
    }
    // The user filter finds the entries where Megan was acted upon, by name too.
    expect((await audit({ user: 'megan bowen', from })).map(e => e.action).sort()).toEqual(['user_disabled', 'user_enabled'])
  })

  it('one entry for an export, with its filters and row count', async () => {
    const from = since()
    const exported = await readExport(stack, admin.client, { action: 'sign_in' })
    expect(exported.response.status).toBe(200)
    const entries = await audit({ action: 'audit_exported', from })
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ actorId: admin.id, outcome: 'success', targetType: 'audit_log' })
    expect(entries[0]!.details).toMatchObject({ filters: { action: 'sign_in', user: null }, rows: exported.records.length })
  })
})

describe('the audit log table', () => {
  it.runIf(!!process.env.DATABASE_URL)('refuses UPDATE and DELETE at the database, whoever asks (PostgreSQL)', async () => {
    const sql = postgres(stack.db.url!, { max: 1, onnotice: () => {} })
    try {
      await expect(sql`UPDATE audit_log SET outcome = 'failure'`).rejects.toThrow('audit_log is append-only: UPDATE is not allowed')
      await expect(sql`DELETE FROM audit_log`).rejects.toThrow('audit_log is append-only: DELETE is not allowed')
      await expect(sql`TRUNCATE audit_log`).rejects.toThrow('audit_log is append-only: TRUNCATE is not allowed')
      const [row] = await sql<Array<{ n: number }>>`SELECT count(*)::int AS n FROM audit_log`
      expect(row!.n).toBeGreaterThan(0)
    }
    finally {
      await sql.end()
    }
  })
})

describe('the CSV export', () => {
  it('neutralises formulas and quotes cells that need it', async () => {
    const alex = await person(stack, accounts.alex)
    const agents = ['=HYPERLINK("http://evil.example","click")', '+1+2', '-3+4', '@SUM(A1:A9)', 'Mozilla/5.0 (X11; Linux), "quoted"']
    const from = since()
    for (const agent of agents) {
      const sent = await call(stack, alex.client, `/api/chats/${randomUUID()}/messages`, { method: 'POST', headers: { 'user-agent': agent }, json: { message: { id: randomUUID(), role: 'user', parts: [{ type: 'text', text: 'hello' }] } } })
      expect(sent.status).toBe(200)
    }
    const exported = await readExport(stack, admin.client, { action: 'chat_created', user: alex.id, from })
    expect(exported.response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(exported.response.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/)
    const cells = exported.records.map(r => r[exported.column('user_agent')])
    expect(cells).toEqual([
      '\'=HYPERLINK("http://evil.example","click")',
      '\'+1+2',
      '\'-3+4',
      '\'@SUM(A1:A9)',
      'Mozilla/5.0 (X11; Linux), "quoted"',
    ])
    expect(exported.text).toContain('"\'=HYPERLINK(""http://evil.example"",""click"")"')
    expect(exported.text).toContain('"Mozilla/5.0 (X11; Linux), ""quoted"""')
    expect(exported.records.every(r => r.length === exported.header.length)).toBe(true)
  })

  it('streams 10,000 rows in keyset batches as they are read', async () => {
    await seedAudit(stack, 10_000)
    const from = since()
    const exported = await readExport(stack, admin.client)
    expect(exported.response.status).toBe(200)
    expect(exported.response.headers.get('transfer-encoding')).toBe('chunked')
    expect(exported.response.headers.get('content-length')).toBeNull()
    const ids = exported.records.map(r => Number(r[exported.column('id')]))
    expect(ids.length).toBeGreaterThanOrEqual(10_000)
    // Oldest first, every row once across batch boundaries.
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true)
    expect(exported.records.filter(r => r[exported.column('action')] === 'test_seed')).toHaveLength(10_000)
    // Written as read: many separate writes reached the client, one per batch of 500.
    expect(exported.chunks).toBeGreaterThanOrEqual(5)
    const [entry] = await audit({ action: 'audit_exported', from })
    expect(entry!.details).toMatchObject({ rows: ids.length, batches: Math.floor(ids.length / 500) + 1 })
  })
})
