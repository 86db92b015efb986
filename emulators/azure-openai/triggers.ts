// Failures are requested from inside the user's message so that tests can drive them through
// the real app (browser -> Nitro -> @ai-sdk/azure -> emulator) without any side channel.
export interface Triggers {
  slow: boolean
  delayMs: number | null
  long: boolean
  contentFilterPrompt: boolean
  contentFilterOutput: boolean
  rateLimit: 'always' | 'once' | null
  unauthorized: boolean
  serverError: boolean
  drop: boolean
  hang: boolean
  html: boolean
}

const pattern = /\[\[emulator:([a-z0-9-]+)(?:=(\d+))?\]\]/gi

export function parseTriggers(text: string): Triggers {
  const t: Triggers = {
    slow: false,
    delayMs: null,
    long: false,
    contentFilterPrompt: false,
    contentFilterOutput: false,
    rateLimit: null,
    unauthorized: false,
    serverError: false,
    drop: false,
    hang: false,
    html: false,
  }
  for (const [, rawName, value] of text.matchAll(pattern)) {
    const name = rawName.toLowerCase()
    if (name === 'slow') t.slow = true
    else if (name === 'delay' && value !== undefined) t.delayMs = Number(value)
    else if (name === 'long') t.long = true
    else if (name === 'content-filter-prompt') t.contentFilterPrompt = true
    else if (name === 'content-filter-output') t.contentFilterOutput = true
    else if (name === '429') t.rateLimit = 'always'
    else if (name === '429-once') t.rateLimit = 'once'
    else if (name === '401') t.unauthorized = true
    else if (name === '500') t.serverError = true
    else if (name === 'drop') t.drop = true
    else if (name === 'hang') t.hang = true
    else if (name === 'html') t.html = true
  }
  return t
}

export function stripTriggers(text: string): string {
  return text.replace(pattern, ' ').replace(/\s+/g, ' ').trim()
}
