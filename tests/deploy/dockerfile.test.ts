import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { format, validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils'
import { contextFiles, parseDockerfile, readDockerignore, repoRoot, stageEnv, healthcheckCommand, type Stage, type Step } from './support/dockerfile'

const dockerfileText = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')
const stages = parseDockerfile()
const build = stages[0]!
const final = stages.at(-1)!
const steps = (stage: Stage, keyword: string): Step[] => stage.steps.filter(s => s.keyword === keyword)

// Node 24 on Debian slim, and Debian slim alone, by tag and optionally pinned by digest.
const NODE_24_SLIM = /^node:24[\w.-]*-slim(@sha256:[0-9a-f]{64})?$/
const DEBIAN_SLIM = /^debian:[a-z]+-slim(@sha256:[0-9a-f]{64})?$/

describe('the Dockerfile', () => {
  it('passes dockerfile-utils\' lint with every rule an error', () => {
    const strict: ValidatorSettings = {
      deprecatedMaintainer: ValidationSeverity.ERROR,
      directiveCasing: ValidationSeverity.ERROR,
      emptyContinuationLine: ValidationSeverity.ERROR,
      instructionCasing: ValidationSeverity.ERROR,
      instructionCmdMultiple: ValidationSeverity.ERROR,
      instructionEntrypointMultiple: ValidationSeverity.ERROR,
      instructionHealthcheckMultiple: ValidationSeverity.ERROR,
      instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
      instructionWorkdirRelative: ValidationSeverity.ERROR,
    }
    const problems = validate(dockerfileText, strict).map(d => `line ${d.range.start.line + 1}: ${d.message}`)
    expect(problems).toEqual([])
  })

  it('is formatted as dockerfile-utils formats it (two spaces for continuation lines)', () => {
    const edits = format(dockerfileText, { insertSpaces: true, tabSize: 2 })
    expect(edits.map(e => `line ${e.range.start.line + 1}: ${JSON.stringify(e.newText)}`)).toEqual([])
  })

  it('builds on Node 24 slim and runs on Debian slim with Node 24\'s binary alone, each with an explicit tag', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2)
    for (const stage of stages.slice(0, -1)) expect(stage.image).toMatch(NODE_24_SLIM)
    // Not node:24-slim again: npm, corepack and yarn would stay in its layers.
    expect(final.image).toMatch(DEBIAN_SLIM)
    expect(build.name).toBe('build')
    expect(final.name).toBeUndefined()
  })

  it('installs with npm ci and builds with npm run build', () => {
    const runs = steps(build, 'RUN').map(s => s.content)
    const install = runs.findIndex(r => /\bnpm ci\b/.test(r))
    const compile = runs.findIndex(r => /\bnpm run build\b/.test(r))
    expect(install).toBeGreaterThanOrEqual(0)
    expect(compile).toBeGreaterThan(install)
  })

  it('copies what the postinstall needs (its script, nuxt.config, its local modules and imports) before npm ci', () => {
    const ci = build.steps.findIndex(s => s.keyword === 'RUN' && /\bnpm ci\b/.test(s.content))
    const copied = build.steps.slice(0, ci).filter(s => s.keyword === 'COPY').flatMap(s => (s.json ?? s.args).slice(0, -1))
    const brings = (path: string) => copied.some(source => source === '.' || path === source.replace(/\/$/, '') || path.startsWith(source.replace(/\/?$/, '/')))
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    const needed = ['package.json', 'package-lock.json', 'nuxt.config.ts', 'tsconfig.json']
    needed.push(...(pkg.scripts.postinstall?.match(/\bscripts\/[\w./-]+/g) ?? []))
    const nuxtConfig = readFileSync(join(repoRoot, 'nuxt.config.ts'), 'utf8')
    // Every file of ours it loads: local modules, and what it imports (e.g. shared/locales).
    needed.push(...[...nuxtConfig.matchAll(/['"]\.\/([\w-]+\/[\w./-]+)['"]/g)].map(m => m[1]!))
    expect(needed.filter(path => !brings(path))).toEqual([])
  })

  it('runs the built server alone: WORKDIR /app, only Node and .output from the build stage', () => {
    expect(steps(final, 'WORKDIR').at(-1)?.args).toEqual(['/app'])
    const copies = steps(final, 'COPY')
    for (const copy of copies) {
      expect(copy.flags.get('from')).toBe('build')
      // Root keeps owning the code; the app's user only reads it.
      expect(copy.flags.has('chown')).toBe(false)
    }
    expect(copies.map(c => c.args)).toEqual([['/usr/local/bin/node', '/usr/local/bin/node'], ['/src/.output', './.output']])
    expect(stages.flatMap(s => steps(s, 'ADD'))).toEqual([])
  })

  it('sets the production environment and the port it exposes', () => {
    expect(stageEnv(final)).toMatchObject({ NODE_ENV: 'production', PORT: '3000', HOST: '0.0.0.0' })
    expect(steps(final, 'EXPOSE').flatMap(s => s.args)).toEqual(['3000'])
  })

  it('runs as a non-root numeric user, set before the command', () => {
    const user = steps(final, 'USER').at(-1)
    expect(user?.args[0]).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/)
    expect(user!.line).toBeLessThan(steps(final, 'CMD').at(-1)!.line)
  })

  it('checks its health with node on /api/health, the port from PORT', () => {
    const healthchecks = steps(final, 'HEALTHCHECK')
    expect(healthchecks).toHaveLength(1)
    const command = healthcheckCommand(healthchecks[0]!)
    expect(command[0]).toBe('node')
    expect(command.join(' ')).toMatch(/\/api\/health/)
    expect(command.join(' ')).toMatch(/process\.env\.PORT/)
    for (const flag of ['interval', 'timeout', 'start-period', 'retries']) expect(healthchecks[0]!.flags.has(flag), flag).toBe(true)
  })

  it('starts the server with exactly node .output/server/index.mjs', () => {
    expect(steps(final, 'CMD').at(-1)?.json).toEqual(['node', '.output/server/index.mjs'])
    expect(steps(final, 'ENTRYPOINT')).toEqual([])
  })

  it('bakes in no secret', () => {
    const names = stages.flatMap(s => [...Object.keys(stageEnv(s)), ...steps(s, 'ARG').map(a => a.args[0]!.split('=')[0]!)])
    expect(names.filter(n => /SECRET|PASSWORD|TOKEN|API_KEY|DATABASE_URL/i.test(n))).toEqual([])
  })
})

describe('the build context (.dockerignore)', () => {
  const ignore = readDockerignore()

  it.each([
    'node_modules', 'node_modules/nuxt/package.json', 'server/node_modules/x', '.git', '.git/config',
    '.env', '.env.production', 'server/.env', '.data', '.data/db/PG_VERSION', '.output', '.nuxt',
    'tests', 'tests/deploy/dockerfile.test.ts', 'emulators', 'emulators/entra/index.ts', 'deploy', 'key.pem',
  ])('keeps out %s', (path) => {
    expect(ignore.ignores(path)).toBe(true)
  })

  it.each([
    'package.json', 'package-lock.json', 'nuxt.config.ts', 'tsconfig.json', 'app.vue', 'app.config.ts', 'error.vue',
    'modules/dev-emulators.ts', 'scripts/expose-next-auth-core.mjs', 'server/api/health.get.ts', 'drizzle/0000_init.sql',
    'drizzle/meta/_journal.json', 'pages/index.vue', 'components/x.vue', 'composables/x.ts', 'layouts/default.vue',
    'middleware/auth.global.ts', 'plugins/x.ts', 'utils/x.ts', 'assets/css/main.css', 'public/favicon.ico',
  ])('lets the build have %s', (path) => {
    expect(ignore.ignores(path)).toBe(false)
  })

  it('sends no test, emulator, dependency, local data or .env file from this checkout', () => {
    const files = contextFiles()
    expect(files).toContain('package-lock.json')
    expect(files.filter(f => /(^|\/)(node_modules|tests|emulators|\.git|\.data|\.output|\.nuxt)\/|(^|\/)\.env/.test(f))).toEqual([])
  })

  it('leaves out emulators/ safely: nothing the build compiles imports it statically', () => {
    const sources = contextFiles().filter(f => /\.(ts|mts|mjs|js|vue)$/.test(f))
    const staticImports = sources.filter(f => /^\s*(import|export)\s[^;]*?from\s+['"](\.\.?\/)+emulators\//m.test(readFileSync(join(repoRoot, f), 'utf8')))
    expect(staticImports).toEqual([])
    // The dev module imports them dynamically, and only under `nuxi dev`: none of their code may
    // reach the production build.
    const module = readFileSync(join(repoRoot, 'modules/dev-emulators.ts'), 'utf8')
    expect(module).toMatch(/if\s*\(\s*!nuxt\.options\.dev\b[^)]*\)\s*return/)
    const built = spawnSync('grep', ['-rlE', 'startEntraEmulator|startAzureOpenAIEmulator|Entra ID emulator', join(repoRoot, '.output')], { encoding: 'utf8' })
    expect(built.status).toBe(1) // grep: no match
    expect(built.stdout).toBe('')
  })
})
