// Azure's per-category annotations; it sends them on every prompt and choice, so the emulator
// does too, letting the app's content-filter handling be exercised on the happy path as well.
type Category = 'hate' | 'self_harm' | 'sexual' | 'violence'

export type SeverityResults = Record<Category, { filtered: boolean, severity: string }>

export function safeResults(): SeverityResults {
  return {
    hate: { filtered: false, severity: 'safe' },
    self_harm: { filtered: false, severity: 'safe' },
    sexual: { filtered: false, severity: 'safe' },
    violence: { filtered: false, severity: 'safe' },
  }
}

export function filteredResults(category: Category, severity: string): SeverityResults {
  return { ...safeResults(), [category]: { filtered: true, severity } }
}

export function promptFilterResults() {
  return [
    {
      prompt_index: 0,
      content_filter_results: { ...safeResults(), jailbreak: { filtered: false, detected: false } },
    },
  ]
}
