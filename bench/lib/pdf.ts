// Text-only PDFs for the documents benchmark, laid out like tests/fixtures/travel-policy.pdf: one
// Helvetica font, a content stream of lines per page and an exact cross-reference table (pdf.js,
// which unpdf wraps, finds every object through it).

const escape = (line: string) => line.replace(/[\\()]/g, c => `\\${c}`)

/** A PDF with one page per entry of `pages`, each page's lines top to bottom (ASCII text). */
export function textPdf(pages: string[][]): Buffer {
  // Objects: 1 the font, then a content stream and a page per page, then the page tree and catalog.
  const pagesObject = 2 + pages.length * 2
  const objects: string[] = ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>']
  pages.forEach((lines, i) => {
    const content = `BT /F1 10 Tf 56 760 Td 14 TL ${lines.map(line => `(${escape(line)}) Tj T*`).join(' ')} ET`
    objects.push(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`)
    objects.push(`<< /Type /Page /Parent ${pagesObject} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 1 0 R >> >> /Contents ${2 + i * 2} 0 R >>`)
  })
  objects.push(`<< /Type /Pages /Kids [${pages.map((_, i) => `${3 + i * 2} 0 R`).join(' ')}] /Count ${pages.length} >>`)
  objects.push(`<< /Type /Catalog /Pages ${pagesObject} 0 R >>`)

  let out = '%PDF-1.4\n'
  const offsets: number[] = []
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'))
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xref = Buffer.byteLength(out, 'latin1')
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map(o => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${objects.length} 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}
