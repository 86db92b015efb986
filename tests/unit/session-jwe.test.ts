import { createCipheriv, randomBytes } from 'node:crypto'
import { encode } from 'next-auth/jwt'
import { describe, expect, it } from 'vitest'
import { deriveSessionKey, openSessionJwe } from '../../server/utils/session-jwe'

const secret = 'a-test-secret-of-enough-length-0123456789'
const key = deriveSessionKey(secret)
const claims = { sid: 'session-1', uid: 'user-1', roles: ['Admin'] }
const inAnHour = () => ({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })

/** Seals like next-auth but with a header of our choosing, to try what it must refuse. */
function seal(header: Record<string, unknown>, payload: unknown, sealKey = key): string {
  const protectedHeader = Buffer.from(JSON.stringify(header)).toString('base64url')
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', sealKey, iv)
  cipher.setAAD(Buffer.from(protectedHeader, 'ascii'))
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(payload)), cipher.final()])
  return [protectedHeader, '', iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.')
}

describe('openSessionJwe (the session cookie next-auth seals)', () => {
  it('opens what next-auth encodes, with the claims it added', async () => {
    const jwe = await encode({ token: claims, secret, maxAge: 3600 })
    const opened = openSessionJwe(jwe, key)
    expect(opened).toMatchObject(claims)
    expect(opened?.exp).toBeGreaterThan(Date.now() / 1000)
  })

  it('refuses a cookie sealed with another secret', async () => {
    const jwe = await encode({ token: claims, secret: `${secret}-other`, maxAge: 3600 })
    expect(openSessionJwe(jwe, key)).toBeNull()
  })

  it('refuses any changed byte of the header, IV, ciphertext or tag', async () => {
    const jwe = await encode({ token: claims, secret, maxAge: 3600 })
    const parts = jwe.split('.')
    for (const index of [0, 2, 3, 4]) {
      const changed = [...parts]
      const bytes = Buffer.from(changed[index]!, 'base64url')
      bytes[0]! ^= 1
      changed[index] = bytes.toString('base64url')
      expect(openSessionJwe(changed.join('.'), key), `part ${index}`).toBeNull()
    }
  })

  it('refuses expired and not-yet-valid cookies, with 15 s of clock tolerance', async () => {
    const now = Date.now() / 1000
    const jwe = await encode({ token: claims, secret, maxAge: 60 })
    expect(openSessionJwe(jwe, key, now + 60 + 10)).not.toBeNull()
    expect(openSessionJwe(jwe, key, now + 60 + 20)).toBeNull()
    const early = seal({ alg: 'dir', enc: 'A256GCM' }, { ...inAnHour(), nbf: Math.floor(now) + 60 })
    expect(openSessionJwe(early, key, now)).toBeNull()
    expect(openSessionJwe(early, key, now + 50)).not.toBeNull()
    expect(openSessionJwe(seal({ alg: 'dir', enc: 'A256GCM' }, { ...claims, exp: 'never' }), key)).toBeNull()
    // Without exp a cookie would never expire.
    expect(openSessionJwe(seal({ alg: 'dir', enc: 'A256GCM' }, claims), key)).toBeNull()
  })

  it('refuses other algorithms, compression, critical extensions and non-object payloads', () => {
    expect(openSessionJwe(seal({ alg: 'dir', enc: 'A256GCM' }, inAnHour()), key)).toMatchObject(claims)
    expect(openSessionJwe(seal({ alg: 'dir', enc: 'A128GCM' }, inAnHour()), key)).toBeNull()
    expect(openSessionJwe(seal({ alg: 'A256KW', enc: 'A256GCM' }, inAnHour()), key)).toBeNull()
    expect(openSessionJwe(seal({ alg: 'dir', enc: 'A256GCM', zip: 'DEF' }, inAnHour()), key)).toBeNull()
    expect(openSessionJwe(seal({ alg: 'dir', enc: 'A256GCM', crit: ['x'] }, inAnHour()), key)).toBeNull()
    expect(openSessionJwe(seal({ alg: 'dir', enc: 'A256GCM' }, ['array']), key)).toBeNull()
  })

  it('refuses a valid cookie spelled with characters outside base64url', async () => {
    const jwe = await encode({ token: claims, secret, maxAge: 3600 })
    expect(openSessionJwe(jwe, key)).not.toBeNull()
    const [header, , iv, ciphertext, tag] = jwe.split('.')
    // Buffer's decoder skips '*' and '=': the same bytes, another spelling.
    expect(openSessionJwe([header, '', `${iv}*`, ciphertext, tag].join('.'), key)).toBeNull()
    expect(openSessionJwe([header, '', iv, `${ciphertext}==`, tag].join('.'), key)).toBeNull()
  })

  it('refuses malformed input without throwing', () => {
    for (const value of ['', 'a.b.c', 'a..b.c.d', '....', 'x.y.z.w.v', `${'a'.repeat(10)}.k.i.c.t`]) {
      expect(openSessionJwe(value, key), value).toBeNull()
    }
  })
})
