import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { envSchema } from '../../server/utils/config'

const root = join(import.meta.dirname, '../..')
const documented = (file: string) => readFileSync(join(root, file), 'utf8')

describe('every setting is documented', () => {
  it.each(Object.keys(envSchema.shape))('%s is in .env.example and the README', (name) => {
    expect(documented('.env.example')).toMatch(new RegExp(`^${name}=`, 'm'))
    expect(documented('README.md')).toContain(`\`${name}\``)
  })
})
