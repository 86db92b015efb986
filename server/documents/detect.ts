/** The kinds of file company documents accept, by what the bytes are, never by the file's name. */
export const documentKinds = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  html: 'text/html',
  markdown: 'text/markdown',
  text: 'text/plain',
} as const
export type DocumentKind = keyof typeof documentKinds

const utf8 = new TextDecoder('utf-8', { fatal: true })

function asText(bytes: Uint8Array): string | null {
  try {
    const text = utf8.decode(bytes)
    // NUL and other C0 controls (bar tab, newlines, form feed) do not occur in text a person wrote.
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i)
      if (code <= 0x08 || (code >= 0x0E && code <= 0x1F)) return null
    }
    return text
  }
  catch {
    return null
  }
}

/**
 * What a file is: `%PDF-` starts a PDF; a ZIP holding `word/document.xml` is a Word document (ZIP
 * stores entry names uncompressed, so the name is in the bytes); valid UTF-8 text is HTML when it
 * starts like HTML, Markdown when named so, else plain text. Anything else (an executable renamed
 * .pdf, an image, a spreadsheet) is null.
 */
export function detectDocumentKind(bytes: Uint8Array, fileName: string): DocumentKind | null {
  const head = Buffer.from(bytes.subarray(0, 1024))
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf'
  if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4B, 0x03, 0x04]))) {
    return Buffer.from(bytes).includes('word/document.xml', 0, 'latin1') ? 'docx' : null
  }
  const text = asText(bytes)
  if (text === null) return null
  if (/^\s*(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text.slice(0, 1024))) return 'html'
  if (/\.(md|markdown)$/i.test(fileName)) return 'markdown'
  return 'text'
}
