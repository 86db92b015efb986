import { it, expect } from 'vitest'
import { layOutImage, listFiles } from './support/image'
it('simulates the build stage from /tmp/ctx', () => {
  const layout = layOutImage('simulate', line => console.log(line), '/tmp/ctx')
  console.log('LAYOUT', layout.root, layout.workdir, listFiles(layout.workdir).length)
  expect(listFiles(layout.workdir)).toContain('.output/server/index.mjs')
}, 1_800_000)
