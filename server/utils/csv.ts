// CSV for people who open it in Excel: RFC 4180 quoting, and no cell that a spreadsheet would run
// as a formula (OWASP "CSV injection"). User agents, names and reasons come from outside.

const formulaStart = /^[=+\-@\t\r]/
const needsQuotes = /[",\r\n]/

/** One cell: formulas neutralised with a leading `'`, quoted when it holds `"`, `,`, CR or LF. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  let text = value instanceof Date
    ? value.toISOString()
    : typeof value === 'object' ? JSON.stringify(value) : String(value)
  if (formulaStart.test(text)) text = `'${text}`
  return needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One record, CRLF-terminated as RFC 4180 says. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`
}
