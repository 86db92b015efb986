import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, inject, it } from 'vitest'

const server = join(inject('outputDir'), 'server')
const files = (readdirSync(server, { recursive: true, withFileTypes: true }))
  .filter(entry => entry.isFile() && /\.m?js$/.test(entry.name))
  .map(entry => join(entry.parentPath, entry.name))

describe('the production bundle', () => {
  it('holds the server code it was built from', () => {
    // Guards the test below against reading an empty or wrong folder.
    expect(files.some(file => readFileSync(file, 'utf8').includes('/api/admin/retention/run'))).toBe(true)
  })

  it('carries no test-only route: tests seed their data straight into the database', () => {
    const routes = files.map(file => relative(server, file)).filter(path => /(^|\/)routes\/.*\btest\b/.test(path))
    expect(routes).toEqual([])
    const mentioning = files.filter(file => /\/api\/admin\/test\b|test_seed/.test(readFileSync(file, 'utf8'))).map(file => relative(server, file))
    expect(mentioning).toEqual([])
  })
})
