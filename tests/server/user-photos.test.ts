import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpClient } from '../support/http-client'
import { accounts, api, signIn, startStack, type Stack } from '../support/stack'

// Adele has a photo in the Graph stand-in, Megan has none (Graph answers 404).
async function photoRequests(stack: Stack): Promise<number> {
  const stats = await fetch(`${stack.entra.authorityHost}/_emulator/graph/stats`).then(r => r.json()) as { requests: Record<string, number> }
  return stats.requests['/me/photos/96x96/$value'] ?? 0
}

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack?.stop()
})

describe('profile photos', () => {
  it('are fetched from Graph after sign-in, kept server-side, and served with ETag and Cache-Control', async () => {
    const client = new HttpClient()
    await signIn(stack.app, accounts.adele, client)
    // Fetched in the background after sign-in.
    await expect.poll(async () => (await api(client, `${stack.app.url}/api/me`)).json.photo).toBe('/api/me/photo')
    const photo = await client.fetch(`${stack.app.url}/api/me/photo`)
    expect(photo.status).toBe(200)
    expect(photo.headers.get('content-type')).toBe('image/png')
    expect(photo.headers.get('cache-control')).toBe('private, max-age=3600')
    const bytes = Buffer.from(await photo.arrayBuffer())
    expect(bytes.subarray(1, 4).toString()).toBe('PNG')
    const etag = photo.headers.get('etag')!
    expect(etag).toMatch(/^".+"$/)
    const again = await client.fetch(`${stack.app.url}/api/me/photo`, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    // Never in the cookie: the session cookie stays the size of a few ids.
    expect(client.cookies(stack.app.url).get('next-auth.session-token')!.length).toBeLessThan(1500)
  })

  it('are fetched at most once a day', async () => {
    const before = await photoRequests(stack)
    const { client } = await signIn(stack.app, accounts.adele)
    expect((await api(client, `${stack.app.url}/api/me`)).json.photo).toBe('/api/me/photo')
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(await photoRequests(stack)).toBe(before)
  })

  it('fall back to initials when Graph has none, without an error', async () => {
    const before = await photoRequests(stack)
    const { client } = await signIn(stack.app, accounts.megan)
    await expect.poll(() => photoRequests(stack)).toBe(before + 1)
    const me = await api(client, `${stack.app.url}/api/me`)
    expect(me.status).toBe(200)
    expect(me.json.photo).toBeNull()
    expect((await client.fetch(`${stack.app.url}/api/me/photo`)).status).toBe(404)
    expect(stack.app.output()).not.toMatch(/Could not fetch the photo/)
  })

  it('show in the admin users list', async () => {
    const { client } = await signIn(stack.app, accounts.adele)
    const list = await api(client, `${stack.app.url}/api/admin/users`)
    const rows = list.json.users as { id: string, email: string, hasPhoto: boolean }[]
    const adele = rows.find(u => u.email === accounts.adele.email)!
    expect(adele.hasPhoto).toBe(true)
    expect(rows.find(u => u.email === accounts.megan.email)?.hasPhoto).toBe(false)
    const photo = await client.fetch(`${stack.app.url}/api/admin/users/${adele.id}/photo`)
    expect(photo.status).toBe(200)
    expect(photo.headers.get('content-type')).toBe('image/png')
  })
})
