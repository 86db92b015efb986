// Summarises a V8 .cpuprofile (from BENCH_CPU_PROF=1): self time by function and by package, so
// a missed target can be traced to what the server spends its CPU on.
//   node bench/profile-summary.ts bench/profiles/CPU.….cpuprofile [top=25]
import { readFileSync } from 'node:fs'

interface Node { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, hitCount?: number, children?: number[] }
interface Profile { nodes: Node[], startTime: number, endTime: number, samples: number[], timeDeltas: number[] }

const file = process.argv[2]
if (!file) {
  console.error('usage: node bench/profile-summary.ts <file.cpuprofile> [top]')
  process.exit(2)
}
const top = Number(process.argv[3] ?? 25)
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map(n => [n.id, n]))
const selfUs = new Map<number, number>()
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
const total = [...selfUs.values()].reduce((a, b) => a + b, 0)

function pkg(url: string): string {
  if (!url) return '(native/vm)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/')
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  if (url.startsWith('node:')) return url
  if (url.includes('.output/server/chunks/')) return `app chunk ${url.split('.output/server/chunks/')[1]}`
  if (url.includes('.output/server/')) return `app ${url.split('.output/server/')[1]}`
  return url
}

const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url ? `${pkg(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ''}`.trim()

const fn = new Map<string, number>()
const pk = new Map<string, number>()
for (const [id, us] of selfUs) {
  const node = byId.get(id)!
  const { functionName, url, lineNumber } = node.callFrame
  const key = `${functionName || '(anonymous)'} ${url ? `${pkg(url)}:${lineNumber + 1}` : ''}`.trim()
  fn.set(key, (fn.get(key) ?? 0) + us)
  const p = ['(idle)', '(program)', '(garbage collector)'].includes(functionName) ? functionName : pkg(url)
  pk.set(p, (pk.get(p) ?? 0) + us)
}
const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms`
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n\nSelf time by package/file:`)
for (const [k, v] of [...pk].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(v)}  ${k}`)
console.log('\nSelf time by function:')
for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(v)}  ${k}`)

// Inclusive time: a sample counts for every function on its stack (each once). Async functions
// resume from the microtask queue, so their time splits between their synchronous stretches.
const inclusive = new Map<string, number>()
for (const [id, us] of selfUs) {
  const seen = new Set<string>()
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const key = label(byId.get(n)!)
    if (seen.has(key)) continue
    seen.add(key)
    inclusive.set(key, (inclusive.get(key) ?? 0) + us)
  }
}
const skip = /^\((root|idle|program|garbage collector)\)|^(runMicrotasks|processTicksAndRejections|processImmediate|listOnTimeout|processTimers)\b/
console.log('\nInclusive time by function:')
for (const [k, v] of [...inclusive].filter(([k]) => !skip.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(v)}  ${k}`)

// Who calls the hottest functions (self time attributed to the chain of callers above them).
const wanted = (process.env.CALLERS ?? '').split(',').filter(Boolean)
for (const name of wanted) {
  const chains = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!
    if (node.callFrame.functionName !== name) continue
    const chain: string[] = []
    let p = parent.get(id)
    while (p !== undefined && chain.length < Number(process.env.DEPTH ?? 6)) {
      chain.push(label(byId.get(p)!))
      p = parent.get(p)
    }
    const key = chain.join(' < ')
    chains.set(key, (chains.get(key) ?? 0) + us)
  }
  console.log(`\nCallers of ${name}:`)
  for (const [k, v] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${pct(v)}  ${k}`)
}
