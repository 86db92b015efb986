import { countWords } from './prompt.ts'
import { stripTriggers } from './triggers.ts'

export interface ReplyOptions {
  long: boolean
  html: boolean
  /** Named in the answer when the emulator serves several deployments. */
  deployment?: string
}

const codeBlock = [
  '```ts',
  'export function greet(name: string): string {',
  '  return `Hello, ${name}!`',
  '}',
  '',
  'console.log(greet(\'emulator\'))',
  '```',
].join('\n')

const filler = [
  'The emulator repeats this paragraph so that long answers can be tested without a real model.',
  'Scrolling, copying and stopping a long stream should all behave the same as they do in production.',
  'Every word arrives as its own delta, which makes the incremental rendering easy to observe.',
  'Nothing in this text depends on the time of day, the network or any random number.',
]

// Verbatim markup the UI must render as text, never as live HTML.
const htmlProbe = [
  'The following markup must appear as plain text: <img src=x onerror="fetch(\'/xss\')"> and',
  '<script>alert(1)</script> are part of this answer.',
].join(' ')

/** A reasoning model's summary of its thinking: deterministic, like the reply. */
export function composeReasoning(userText: string): string {
  const question = stripTriggers(userText)
  return [
    '**Reading the question**',
    '',
    `The user asks: "${question || '(an empty message)'}". It has ${countWords(question)} words; I will answer it plainly and check the facts I state.`,
  ].join('\n')
}

// The reply depends only on the user's text, so tests and screenshots are reproducible.
export function composeReply(userText: string, options: ReplyOptions): string {
  const question = stripTriggers(userText)
  const quoted = question === '' ? '(an empty message)' : question
  const words = countWords(question)
  const firstWord = question.split(' ')[0] || '(none)'
  const parts: string[] = [
    `You asked: "${quoted}"`,
    'This is a deterministic answer from the **Azure OpenAI emulator**. The same question always gets the same reply, and no real model is involved.',
    [
      'Here is what the emulator noticed about your message:',
      '',
      `- It has ${words} words and ${question.length} characters.`,
      `- Its first word is \`${firstWord}\`.`,
      '- This answer is streamed word by word.',
    ].join('\n'),
  ]
  if (options.deployment) parts.push(`Answered by the \`${options.deployment}\` deployment.`)
  if (/\bcode\b/i.test(question)) parts.push(`Here is a small TypeScript example:\n\n${codeBlock}`)
  if (/\btable\b/i.test(question)) {
    parts.push(
      [
        '| Property | Value |',
        '| --- | --- |',
        `| Words | ${words} |`,
        `| Characters | ${question.length} |`,
        '| Source | emulator |',
      ].join('\n'),
    )
  }
  if (options.html) parts.push(htmlProbe)
  if (options.long) {
    let i = 0
    while (countWords(parts.join(' ')) < 380) {
      parts.push(`**Part ${i + 1}.** ${filler.join(' ')}`)
      i++
    }
  }
  parts.push('That is all for now. Ask again and you will get exactly the same answer.')
  return parts.join('\n\n')
}
