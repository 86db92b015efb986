import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { documentFileNamer, safeDocumentFileName } from '../../server/utils/document-file-name'

describe('a safe document file name', () => {
  it.each([
    ['travel-policy.pdf', 'travel-policy.pdf'],
    ['Reisekosten Übersicht 2026.docx', 'Reisekosten Übersicht 2026.docx'],
    ['../../etc/passwd', '_.._etc_passwd'],
    ['..\\..\\boot.ini', '_.._boot.ini'],
    ['/absolute/path.md', '_absolute_path.md'],
    ['C:\\Users\\megan\\notes.txt', 'C__Users_megan_notes.txt'],
    ['line\nbreak\ttab\u0000nul.txt', 'linebreaktabnul.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['what? "quoted" <b>|*.html', 'what_ _quoted_ _b___.html'],
    ['.hidden.md', 'hidden.md'],
    ['..', 'document'],
    ['', 'document'],
    ['   ', 'document'],
    ['report.pdf. . ', 'report.pdf'],
    ['report .pdf', 'report.pdf'],
    ['CON.txt', '_CON.txt'],
    ['lpt1', '_lpt1'],
    ['console.txt', 'console.txt'],
    ['archive.tar.gz', 'archive.tar.gz'],
    ['Cafe\u0301.md', 'Café.md'],
  ])('%j becomes %j', (name, expected) => {
    expect(safeDocumentFileName(name)).toBe(expected)
  })

  it('keeps the extension of a long name and stays within 200 bytes', () => {
    const safe = safeDocumentFileName(`${'ü'.repeat(250)}.pdf`)
    expect(safe).toMatch(/^ü+\.pdf$/)
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(200)
  })

  it('does not take what follows the last dot of a sentence for an extension', () => {
    expect(safeDocumentFileName('Minutes v2. Final draft, approved')).toBe('Minutes v2. Final draft, approved')
  })
})

describe('names for a folder of documents', () => {
  it('tells apart the same name as "a.pdf", "a (2).pdf", "a (3).pdf"', () => {
    const next = documentFileNamer()
    expect(['a.pdf', 'a.pdf', 'b.pdf', 'a.pdf'].map(next)).toEqual(['a.pdf', 'a (2).pdf', 'b.pdf', 'a (3).pdf'])
  })

  it('ignores case, as Windows and macOS do', () => {
    const next = documentFileNamer()
    expect(['Policy.PDF', 'policy.pdf'].map(next)).toEqual(['Policy.PDF', 'policy (2).pdf'])
  })

  it('tells apart names that are the same once made safe', () => {
    const next = documentFileNamer()
    expect(['a/b.md', 'a\\b.md', 'a_b.md'].map(next)).toEqual(['a_b.md', 'a_b (2).md', 'a_b (3).md'])
  })

  it('never hands out a name twice, also when one already looks numbered', () => {
    const next = documentFileNamer()
    const names = ['a.pdf', 'a.pdf', 'a (2).pdf', 'notes', 'notes', 'a (2).pdf'].map(next)
    expect(names).toEqual(['a.pdf', 'a (2).pdf', 'a (2) (2).pdf', 'notes', 'notes (2)', 'a (2) (3).pdf'])
    expect(new Set(names.map(n => n.toLowerCase())).size).toBe(names.length)
  })
})
