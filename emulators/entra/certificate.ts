import { isIP } from 'node:net'
import { generate } from 'selfsigned'

export interface Certificate {
  key: string
  cert: string
}

/**
 * A self-signed certificate for the given host names and IP addresses, for the https the
 * MSAL-based @azure/identity insists on. The certificate is its own CA, so a client trusts
 * it by adding `cert` to its CA list (e.g. NODE_EXTRA_CA_CERTS).
 */
export async function createSelfSignedCertificate(hostnames: string[] = ['localhost', '127.0.0.1']): Promise<Certificate> {
  const altNames = hostnames.map(name => isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })
  const pems = await generate([{ name: 'commonName', value: hostnames[0] ?? 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  })
  return { key: pems.private, cert: pems.cert }
}
