import { convert } from 'html-to-text'
import { translate } from '../i18n'
import type { DocumentKind } from './detect'

/** A stretch of a document's text with where it is: its page (PDF) and the heading it is under. */
export interface Section { page: number | null, heading: string | null, text: string }

export interface Extracted { pages: number | null, sections: Section[] }

/** Carries its sentence as a key: the upload answers it in the reader's language, the ingestion job stores it in English. */
export class UnreadableDocumentError extends Error {
  constructor(readonly key: 'documents.pdfUnreadable' | 'documents.wordUnreadable') {
    super(translate('en', key))
  }
}

/** Counts a PDF's pages, or says it cannot be read (damaged, encrypted, not really a PDF). */
export async function pdfPageCount(bytes: Uint8Array): Promise<number> {
  const { getDocumentProxy } = await import('unpdf')
  try {
    const pdf = await getDocumentProxy(new Uint8Array(bytes))
    const pages = pdf.numPages
    await pdf.destroy()
    return pages
  }
  catch {
    throw new UnreadableDocumentError('documents.pdfUnreadable')
  }
}

async function fromPdf(bytes: Uint8Array): Promise<Extracted> {
  const { extractText, getDocumentProxy } = await import('unpdf')
  const pdf = await getDocumentProxy(new Uint8Array(bytes)).catch(() => {
    throw new UnreadableDocumentError('documents.pdfUnreadable')
  })
  const { totalPages, text } = await extractText(pdf, { mergePages: false })
  await pdf.destroy()
  return { pages: totalPages, sections: text.map((pageText, i) => ({ page: i + 1, heading: null, text: pageText })) }
}

// Headings keep their case (html-to-text shouts them by default).
const headingSelectors = [1, 2, 3, 4, 5, 6].map(n => ({ selector: `h${n}`, options: { uppercase: false } }))

/** HTML split at its headings, each part as plain text under the heading's words. */
function fromHtml(html: string): Section[] {
  const parts = html.split(/(?=<h[1-6][\s>])/i)
  return parts.map((part) => {
    const heading = /^<h[1-6][^>]*>([\s\S]*?)<\/h[1-6]>/i.exec(part)?.[1]
    return {
      page: null,
      heading: heading ? convert(heading, { wordwrap: false }).trim() || null : null,
      text: convert(part, { wordwrap: false, selectors: [{ selector: 'a', options: { ignoreHref: true } }, { selector: 'img', format: 'skip' }, ...headingSelectors] }).trim(),
    }
  }).filter(s => s.text && s.text !== s.heading)
}

/** Markdown split at its `#` headings. */
function fromMarkdown(markdown: string): Section[] {
  const sections: Section[] = []
  let current: Section = { page: null, heading: null, text: '' }
  for (const line of markdown.split(/\r?\n/)) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line)
    if (heading) {
      if (current.text.trim()) sections.push(current)
      current = { page: null, heading: heading[1]!, text: '' }
    }
    current.text += `${line}\n`
  }
  if (current.text.trim()) sections.push(current)
  return sections.map(s => ({ ...s, text: s.text.trim() }))
}

/** The text of a document with its pages and headings kept, ready to be cut into chunks. */
export async function extractDocument(bytes: Uint8Array, kind: DocumentKind): Promise<Extracted> {
  switch (kind) {
    case 'pdf':
      return fromPdf(bytes)
    case 'docx': {
      const mammoth = await import('mammoth')
      const { value } = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) }).catch(() => {
        throw new UnreadableDocumentError('documents.wordUnreadable')
      })
      return { pages: null, sections: fromHtml(value) }
    }
    case 'html':
      return { pages: null, sections: fromHtml(Buffer.from(bytes).toString('utf8')) }
    case 'markdown':
      return { pages: null, sections: fromMarkdown(Buffer.from(bytes).toString('utf8')) }
    case 'text':
      return { pages: null, sections: [{ page: null, heading: null, text: Buffer.from(bytes).toString('utf8').trim() }] }
  }
}
