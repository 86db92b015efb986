// @sidebase/nuxt-auth imports `next-auth/core`, which next-auth >= 4.23 leaves out of its exports
// map. We want next-auth 4.24.15 (it fixes GHSA-7rqj-j65f-68wh) and sidebase pins ~4.21, so after
// every install this adds the one missing entry. Remove once sidebase stops importing the subpath.
import { readFileSync, writeFileSync, existsSync } from 'node:fs'

const file = new URL('../node_modules/next-auth/package.json', import.meta.url)
if (existsSync(file)) {
  const pkg = JSON.parse(readFileSync(file, 'utf8'))
  if (pkg.exports && !pkg.exports['./core']) {
    pkg.exports['./core'] = { types: './core/index.d.ts', default: './core/index.js' }
    writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`)
  }
}
