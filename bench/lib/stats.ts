// Small numeric helpers and the result table. Every figure the bench prints goes through here.

export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  // Nearest-rank: the value below which p% of the samples fall (p95 of 20 samples is the 19th).
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(sorted.length, rank) - 1]!
}

export function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN
}

export function median(values: number[]): number {
  return percentile(values, 50)
}

export interface Summary { n: number, p50: number, p95: number, p99: number, min: number, max: number, mean: number }

export function summarize(values: number[]): Summary {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    min: values.length ? Math.min(...values) : Number.NaN,
    max: values.length ? Math.max(...values) : Number.NaN,
    mean: mean(values),
  }
}

export const round = (value: number, digits = 2) => Number.isFinite(value) ? Number(value.toFixed(digits)) : value

export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a'
  return `${value.toFixed(Math.abs(value) < 10 ? 2 : 1)} ms`
}

export function bytes(value: number): string {
  if (!Number.isFinite(value)) return 'n/a'
  if (value < 1024) return `${Math.round(value)} B`
  if (value < 1024 * 1024) return `${(value / 1024).toFixed(1)} KB`
  return `${(value / 1024 / 1024).toFixed(1)} MB`
}

export function num(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a'
  return value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

/** One line of the result table. `ratio` is measured against a baseline of the same run. */
export interface Row {
  scenario: string
  figure: string
  target: string
  measured: string
  /** What the measurement is compared with (same run), with its absolute value. */
  baseline?: string
  /** measured / baseline, e.g. "1.08x" or "0.93x". */
  ratio?: string
  pass: boolean | null
  /** Machine-readable values for results.json. */
  values?: Record<string, unknown>
  note?: string
}

export function ratio(value: number, base: number, digits = 2): string {
  if (!Number.isFinite(value) || !Number.isFinite(base) || base === 0) return 'n/a'
  return `${(value / base).toFixed(digits)}x`
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - text.length))
}

export function renderTable(rows: Row[]): string {
  const head = ['scenario', 'figure', 'target', 'measured', 'baseline (same run)', 'ratio', 'result']
  const cells = rows.map(r => [
    r.scenario,
    r.figure,
    r.target,
    r.measured,
    r.baseline ?? '',
    r.ratio ?? '',
    r.pass === null ? 'n/a' : r.pass ? 'PASS' : 'FAIL',
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map(c => c[i]!.length)))
  const line = (c: string[]) => `| ${c.map((v, i) => pad(v, widths[i]!)).join(' | ')} |`
  const rule = `|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`
  return [line(head), rule, ...cells.map(line)].join('\n')
}
