import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { RecordedRequest } from '../../emulators/azure-openai/index.ts'
import { LOCALES } from '../../shared/locales'
import { localeFromAcceptLanguage, serverMessages } from '../../server/i18n'
import { userMessage } from '../support/chat-client'
import type { HttpClient } from '../support/http-client'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

// The server's sentences for people (errors, stored answer endings) in the reader's language:
// the locale cookie first, then Accept-Language, else English; and the model is told the language.

const placeholders = (sentence: string) => [...sentence.matchAll(/\{(\w+)\}/g)].map(m => m[1]).sort()

describe('the server\'s sentences', () => {
  it('exist in every language with the same placeholders', () => {
    const keys = Object.keys(serverMessages.en).sort()
    for (const { code } of LOCALES) {
      const messages = serverMessages[code] as Record<string, string>
      expect(Object.keys(messages).sort(), code).toEqual(keys)
      for (const key of keys) {
        expect(placeholders(messages[key]!), `${code} ${key}`).toEqual(placeholders((serverMessages.en as Record<string, string>)[key]!))
        expect(messages[key]!.trim(), `${code} ${key}`).not.toBe('')
      }
    }
  })

  it.each([
    ['de-DE,de;q=0.9', 'de'],
    ['de-CH', 'de'],
    ['fr-BE,fr;q=0.9,en;q=0.8', 'fr'],
    ['en;q=0.5, fr-BE', 'fr'],
    ['ja-JP, it;q=0.9, de;q=0.1', 'de'],
    ['de;q=0, fr;q=0.2', 'fr'],
    ['ja-JP,ja;q=0.9', undefined],
    ['*', undefined],
    ['', undefined],
  ])('reads Accept-Language %j as %s', (header, locale) => {
    expect(localeFromAcceptLanguage(header)).toBe(locale)
  })
})

describe('over HTTP', () => {
  let stack: Stack
  let client: HttpClient

  beforeAll(async () => {
    stack = await startStack({ env: { CHAT_SYSTEM_PROMPT: 'Be brief.' } })
    client = (await signIn(stack.app, accounts.megan)).client
    // The pages may have remembered a language during sign-in; each test chooses its own.
    client.cookies(stack.app.url).delete('locale')
  })
  afterAll(() => stack?.stop())

  /** A call with the Origin that state-changing calls need, in a language chosen by cookie and/or header. */
  async function call(path: string, how: { cookie?: string, acceptLanguage?: string } & RequestInit & { json?: unknown } = {}) {
    const { cookie, acceptLanguage, ...init } = how
    if (cookie) client.setCookie(stack.app.url, 'locale', cookie)
    try {
      const headers: Record<string, string> = { origin: stack.app.url }
      if (acceptLanguage !== undefined) headers['accept-language'] = acceptLanguage
      return await api(client, `${stack.app.url}${path}`, { ...init, headers })
    }
    finally {
      client.cookies(stack.app.url).delete('locale')
    }
  }

  const unknownChat = () => `/api/chats/${randomUUID()}`

  it('answers a 404 in German for a German browser, and says so in Content-Language', async () => {
    const response = await call(unknownChat(), { acceptLanguage: 'de-DE,de;q=0.9' })
    expect(response.status).toBe(404)
    expect(response.json).toMatchObject({ statusCode: 404, statusMessage: 'Not Found', message: 'Chat nicht gefunden' })
    expect(response.headers.get('content-language')).toBe('de')
  })

  it('follows the locale cookie over Accept-Language', async () => {
    const response = await call(unknownChat(), { cookie: 'fr', acceptLanguage: 'de-DE,de;q=0.9' })
    expect(response.status).toBe(404)
    expect(response.json.message).toBe('Conversation introuvable')
    expect(response.headers.get('content-language')).toBe('fr')
  })

  it('ignores a cookie that names no language of ours', async () => {
    const response = await call(unknownChat(), { cookie: 'xx', acceptLanguage: 'fr-BE' })
    expect(response.json.message).toBe('Conversation introuvable')
  })

  it.each([
    ['no Accept-Language', undefined],
    ['an unknown language', 'ja-JP,ja;q=0.9'],
  ])('answers in English with %s', async (_, acceptLanguage) => {
    const response = await call(unknownChat(), { acceptLanguage })
    expect(response.status).toBe(404)
    expect(response.json.message).toBe('Chat not found')
    expect(response.headers.get('content-language')).toBe('en')
  })

  it('lets zod say what is wrong in German, after a German prefix', async () => {
    const german = z.string().safeParse(42, { error: z.locales.de().localeError }).error!.issues[0]!.message
    const response = await call(unknownChat(), { method: 'PATCH', json: { title: 42 }, acceptLanguage: 'de' })
    expect(response.status).toBe(400)
    expect(response.json.message).toBe(`Ungültiger Wert für title: ${german}`)
    expect(response.json.data.field).toBe('title')
    // English stays as it was.
    const english = await call(unknownChat(), { method: 'PATCH', json: { title: 42 } })
    expect(english.json.message).toBe('Invalid title: Invalid input: expected string, received number')
  })

  it('translates the messages our schemas write themselves', async () => {
    const french = await call(unknownChat(), { method: 'PATCH', json: { title: ' ' }, cookie: 'fr' })
    expect(french.status).toBe(400)
    expect(french.json.message).toBe('Valeur non valide pour title\u00A0: ne doit pas être vide')
    const english = await call(unknownChat(), { method: 'PATCH', json: { title: ' ' } })
    expect(english.json.message).toBe('Invalid title: must not be empty')
  })

  it('stores a model failure in the language of the request that asked', async () => {
    const chatId = randomUUID()
    const failed = await call(`/api/chats/${chatId}/messages`, { method: 'POST', json: { message: userMessage('Hallo [[emulator:content-filter-prompt]]') }, cookie: 'de' })
    const sentence = 'Ihre Nachricht wurde vom Inhaltsfilter des Unternehmens blockiert (hate). Bitte formulieren Sie sie um.'
    expect(failed.status).toBe(400)
    expect(failed.json.message).toBe(sentence)
    expect(failed.headers.get('content-language')).toBe('de')
    // Read back later in English, the stored answer keeps the sentence it was given.
    const page = await call(`/api/chats/${chatId}/messages`)
    expect(page.json.messages[1]).toMatchObject({ role: 'assistant', status: 'failed', error: sentence })
  })

  describe('the model is told the reader\'s language', () => {
    async function systemPromptFor(how: { cookie?: string, acceptLanguage?: string }) {
      const question = `What is our travel policy? ${randomUUID()}`
      const sent = await call(`/api/chats/${randomUUID()}/messages`, { method: 'POST', json: { message: userMessage(question) }, ...how })
      expect(sent.status).toBe(200)
      const log: RecordedRequest[] = await (await fetch(`${stack.openai.url}/_emulator/requests`)).json()
      return log.filter(r => r.lastUserText === question).at(-1)?.inputTexts[0]
    }

    it('German, from the locale cookie', async () => {
      expect(await systemPromptFor({ cookie: 'de', acceptLanguage: 'fr' })).toBe('Be brief.\n\nThe user\'s interface language is German. Reply in the language the user writes in; if that is unclear, reply in German.')
    })

    it('French, from Accept-Language', async () => {
      expect(await systemPromptFor({ acceptLanguage: 'fr-FR,fr;q=0.9,en;q=0.8' })).toBe('Be brief.\n\nThe user\'s interface language is French. Reply in the language the user writes in; if that is unclear, reply in French.')
    })

    it('English readers keep the system prompt as it is', async () => {
      expect(await systemPromptFor({})).toBe('Be brief.')
    })
  })
})
