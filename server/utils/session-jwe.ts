import { createDecipheriv, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto'

/**
 * next-auth's JWE key: HKDF-SHA256 of the secret, empty salt, its own info label. Derived once by
 * the caller (next-auth's decode() re-runs it on every call), as a KeyObject: handing
 * createDecipheriv raw bytes makes it import the key again on every call (the figure that pays
 * for it: `npm run bench`, authenticated API, GET /api/chats against GET /api/health).
 */
export function deriveSessionKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', secret, '', 'NextAuth.js Generated Encryption Key', 32)))
}

const CLOCK_TOLERANCE_S = 15
const BASE64URL = /^[\w-]*$/

/**
 * Opens a session cookie sealed by next-auth v4 (compact JWE, `dir` + `A256GCM`) and checks its
 * time claims; anything else, tampered, truncated or expired, is null.
 *
 * An adapter in place of next-auth's decode(): synchronous node:crypto instead of jose, whose
 * WebCrypto calls each hop to the thread pool and back. The figure that pays for it is `npm run
 * bench`'s authenticated API row; tests/unit/session-jwe.test.ts pins it to next-auth's encode().
 * GCM's tag covers the header (as additional data), the IV and the ciphertext.
 */
export function openSessionJwe(jwe: string, key: KeyObject, nowS = Date.now() / 1000): Record<string, unknown> | null {
  const parts = jwe.split('.')
  // Strict base64url: Buffer's decoder would skip stray characters and accept other spellings.
  if (parts.length !== 5 || parts[1] !== '' || !parts.every(part => BASE64URL.test(part))) return null
  const [protectedHeader, , iv, ciphertext, tag] = parts as [string, string, string, string, string]
  try {
    const header = JSON.parse(Buffer.from(protectedHeader, 'base64url').toString('utf8')) as Record<string, unknown>
    if (header.alg !== 'dir' || header.enc !== 'A256GCM' || 'zip' in header || 'crit' in header) return null
    const ivBytes = Buffer.from(iv, 'base64url')
    const tagBytes = Buffer.from(tag, 'base64url')
    if (ivBytes.length !== 12 || tagBytes.length !== 16) return null
    const decipher = createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: 16 })
    decipher.setAAD(Buffer.from(protectedHeader, 'ascii'))
    decipher.setAuthTag(tagBytes)
    const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()])
    const claims = JSON.parse(plain.toString('utf8')) as unknown
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return null
    const { exp, nbf } = claims as { exp?: unknown, nbf?: unknown }
    // next-auth always sets exp; a cookie without one would never expire.
    if (typeof exp !== 'number' || exp <= nowS - CLOCK_TOLERANCE_S) return null
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowS + CLOCK_TOLERANCE_S)) return null
    return claims as Record<string, unknown>
  }
  catch {
    // Bad base64, JSON or authentication tag: not our cookie.
    return null
  }
}
