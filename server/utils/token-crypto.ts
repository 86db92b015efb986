import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto'

// Entra tokens are stored encrypted at rest (AES-256-GCM) with a key derived from the auth secret,
// so a database dump alone does not hand out working tokens.
let key: KeyObject | undefined

function encryptionKey(): KeyObject {
  // A KeyObject, so the cipher does not import the raw key again on every call.
  key ??= createSecretKey(Buffer.from(hkdfSync('sha256', useServerConfig().auth.secret, 'internal-assistant', 'entra-token-encryption:v1', 32)))
  return key
}

export function encryptToken(plain: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', encryptionKey(), iv)
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`
}

export function decryptToken(sealed: string): string {
  const raw = Buffer.from(sealed.replace(/^v1\./, ''), 'base64url')
  const decipher = createDecipheriv('aes-256-gcm', encryptionKey(), raw.subarray(0, 12))
  decipher.setAuthTag(raw.subarray(12, 28))
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
}
