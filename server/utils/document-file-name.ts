import { Buffer } from 'node:buffer'

// Explicit imports only: unit tests load this file without Nitro's auto-imports.

// Most file systems allow 255 bytes a name; this leaves room for a " (12)" added to tell apart.
const MAX_NAME_BYTES = 200
// C0/C1 control characters, and the bidirectional marks that can make "invoice\u202Efdp.exe" show
// as "invoiceexe.pdf".
const INVISIBLE = /[\p{Cc}\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu
// Path separators, and the other characters Windows refuses in a name.
const REFUSED = /[/\\:*?"<>|]/g
// Names Windows keeps for devices, with any extension ("con.txt" cannot be created either).
const DEVICE = /^(con|prn|aux|nul|com\d|lpt\d)$/i

function split(name: string): { stem: string, extension: string } {
  const dot = name.lastIndexOf('.')
  const extension = dot > 0 ? name.slice(dot) : ''
  return /^\.[\p{L}\p{N}]{1,10}$/u.test(extension) ? { stem: name.slice(0, dot), extension } : { stem: name, extension: '' }
}

function truncated(text: string, maxBytes: number): string {
  let kept = ''
  let used = 0
  for (const char of text) {
    used += Buffer.byteLength(char)
    if (used > maxBytes) break
    kept += char
  }
  return kept
}

/**
 * A document's name as a file name that stays in its folder and opens on any system: no path
 * separators, control or bidirectional characters, no leading dot (hidden, or "..") or trailing
 * dot or space (Windows drops them), no device name, at most 200 bytes, the extension kept.
 */
export function safeDocumentFileName(name: string): string {
  const cleaned = name.normalize('NFC').replace(INVISIBLE, '').replace(REFUSED, '_').trim().replace(/^\.+/, '')
  const { stem, extension } = split(cleaned)
  let safe = truncated(stem, MAX_NAME_BYTES - Buffer.byteLength(extension)).replace(/[. ]+$/, '').trim() || 'document'
  if (DEVICE.test(safe.split('.')[0]!)) safe = `_${safe}`
  return `${safe}${extension}`
}

/**
 * Names for the files of one folder: each made safe, and told apart from the ones before it as
 * "a.pdf", "a (2).pdf", "a (3).pdf". Case is ignored when comparing, as the file systems of
 * Windows and macOS do, so "A.pdf" after "a.pdf" becomes "A (2).pdf".
 */
export function documentFileNamer(): (name: string) => string {
  const taken = new Set<string>()
  return (name) => {
    const safe = safeDocumentFileName(name)
    const { stem, extension } = split(safe)
    let candidate = safe
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${extension}`
    taken.add(candidate.toLowerCase())
    return candidate
  }
}
