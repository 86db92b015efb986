import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import packageJson from '../../package.json' with { type: 'json' }

const root = join(import.meta.dirname, '../..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')

describe('the README\'s set-up is true', () => {
  it('asks for what package.json asks: any Node that runs npm 10+, and names the Node the project brings', () => {
    expect(packageJson.engines).toEqual({ npm: '>=10' })
    const brought = packageJson.devDependencies.node.match(/\d+/)![0]
    expect(readme).toContain(`any Node that runs npm 10+; the project brings Node ${brought}`)
  })

  it.each(Object.entries(packageJson.scripts))('npm run %s runs files that exist', (_, script) => {
    const files = [...script.matchAll(/\bnode\s+(?:--\S+\s+)*(\S+\.(?:[cm]?js|ts))/g)].map(m => m[1]!)
    // `.output/` is what `npm run build` makes; the server tests build and run it.
    for (const file of files.filter(f => !f.startsWith('.output/'))) expect(existsSync(join(root, file)), file).toBe(true)
  })
})
