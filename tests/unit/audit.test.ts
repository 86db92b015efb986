import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations, readMigrations } from '../../server/utils/migrations'
import { csvCell, csvLine } from '../../server/utils/csv'
import { auditCsvChunks } from '../../server/utils/audit-export'
import { parseServerConfig, ConfigError } from '../../server/utils/config'
import type { AuditRow } from '../../server/utils/queries/audit-log'

const drizzleDir = join(import.meta.dirname, '../../drizzle')

describe('the audit log table on PGlite (the trigger from the migrations)', () => {
  let client: PGlite

  beforeAll(async () => {
    client = new PGlite({ extensions: { vector } })
    await applyMigrations(drizzlePglite(client) as never, await readMigrations(name => readFile(join(drizzleDir, name), 'utf8').catch(() => null)))
    await client.query(`INSERT INTO audit_log (action, outcome, created_at) VALUES ('sign_in', 'success', now() - interval '100 days'), ('sign_out', 'success', now())`)
  })
  afterAll(async () => {
    await client?.close()
  })

  it('accepts inserts and reads', async () => {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log')
    expect(rows[0]!.n).toBe(2)
  })

  it.each([
    ['UPDATE', `UPDATE audit_log SET outcome = 'failure'`],
    ['DELETE', `DELETE FROM audit_log`],
    ['TRUNCATE', `TRUNCATE audit_log`],
  ])('refuses %s', async (op, statement) => {
    await expect(client.query(statement)).rejects.toThrow(`audit_log is append-only: ${op} is not allowed`)
  })

  it('refuses UPDATE even inside the retention job\'s transaction', async () => {
    await expect(client.transaction(async (tx) => {
      await tx.query(`SET LOCAL app.audit_retention = 'on'`)
      await tx.query(`UPDATE audit_log SET outcome = 'failure'`)
    })).rejects.toThrow('append-only')
  })

  it('lets the retention job delete, and only within its transaction', async () => {
    await client.transaction(async (tx) => {
      await tx.query(`SET LOCAL app.audit_retention = 'on'`)
      await tx.query(`DELETE FROM audit_log WHERE created_at < now() - interval '90 days'`)
    })
    const { rows } = await client.query<{ action: string }>('SELECT action FROM audit_log')
    expect(rows.map(r => r.action)).toEqual(['sign_out'])
    // SET LOCAL ended with the transaction.
    await expect(client.query('DELETE FROM audit_log')).rejects.toThrow('append-only')
  })
})

describe('CSV cells', () => {
  it.each([
    ['=1+2', '\'=1+2'],
    ['+41 44 000', '\'+41 44 000'],
    ['-2', '\'-2'],
    ['@SUM(A1)', '\'@SUM(A1)'],
    ['\tcmd', '\'\tcmd'],
    ['\rcmd', '"\'\rcmd"'],
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ['a, b', '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['plain', 'plain'],
    ['', ''],
    [null, ''],
    [undefined, ''],
    [42, '42'],
    [new Date('2025-03-01T10:00:00.000Z'), '2025-03-01T10:00:00.000Z'],
    [{ rows: 3, filters: { user: 'a,b' } }, '"{""rows"":3,""filters"":{""user"":""a,b""}}"'],
  ])('writes %j as %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected)
  })

  it('ends records with CRLF', () => {
    expect(csvLine(['a', '=b', 'c,d'])).toBe('a,\'=b,"c,d"\r\n')
  })
})

function row(id: number): AuditRow {
  return {
    id,
    createdAt: new Date(0),
    actorId: null,
    actorName: null,
    actorEmail: null,
    action: 'sign_in',
    targetType: null,
    targetId: null,
    outcome: 'success',
    reason: null,
    ip: null,
    userAgent: null,
    requestId: null,
    details: null,
  }
}

describe('the streamed audit export', () => {
  it('reads one keyset batch at a time, only when the consumer asks for more', async () => {
    const total = 10_000
    const reads: Array<{ afterId: number, limit: number }> = []
    const readBatch = async (afterId: number, limit: number) => {
      reads.push({ afterId, limit })
      return Array.from({ length: Math.max(0, Math.min(limit, total - afterId)) }, (_, i) => row(afterId + i + 1))
    }
    const progress = { rows: 0, batches: 0 }
    const chunks = auditCsvChunks(readBatch, progress, 500)

    const header = await chunks.next()
    expect(header.value).toMatch(/^\uFEFFid,time,actor_id/)
    expect(reads).toHaveLength(0)

    let lines = 0
    for (let i = 1; ; i++) {
      const next = await chunks.next()
      if (next.done) break
      // Each chunk is exactly one batch, handed over before the next batch is read.
      expect(reads).toHaveLength(i)
      expect(next.value.split('\r\n').filter(Boolean)).toHaveLength(500)
      lines += 500
    }
    expect(lines).toBe(total)
    expect(reads.slice(0, 3)).toEqual([{ afterId: 0, limit: 500 }, { afterId: 500, limit: 500 }, { afterId: 1000, limit: 500 }])
    expect(progress).toEqual({ rows: total, batches: 21 })
  })

  it('stops reading when the consumer stops', async () => {
    let reads = 0
    const chunks = auditCsvChunks(async (afterId, limit) => {
      reads++
      return Array.from({ length: limit }, (_, i) => row(afterId + i + 1))
    })
    await chunks.next()
    await chunks.next()
    await chunks.return(undefined)
    expect(reads).toBe(1)
  })
})

describe('retention settings', () => {
  it('keep everything when unset or empty', () => {
    expect(parseServerConfig({}).retention).toEqual({ messageDays: undefined, auditDays: undefined })
    expect(parseServerConfig({ MESSAGE_RETENTION_DAYS: '', AUDIT_RETENTION_DAYS: ' ' }).retention).toEqual({ messageDays: undefined, auditDays: undefined })
  })

  it('read whole days', () => {
    expect(parseServerConfig({ MESSAGE_RETENTION_DAYS: '90', AUDIT_RETENTION_DAYS: '2555' }).retention).toEqual({ messageDays: 90, auditDays: 2555 })
  })

  it.each(['0', '-1', '1.5', 'ninety'])('refuse %j, naming the setting', (value) => {
    expect(() => parseServerConfig({ MESSAGE_RETENTION_DAYS: value })).toThrow(ConfigError)
    expect(() => parseServerConfig({ AUDIT_RETENTION_DAYS: value })).toThrow(/AUDIT_RETENTION_DAYS/)
  })
})
