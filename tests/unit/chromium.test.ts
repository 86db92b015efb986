import { describe, expect, it } from 'vitest'
import { chromiumPath, DEBIAN_CHROMIUM, ensureChromium, thisMachine, type Machine } from '../support/chromium'

/** A machine whose files, user and commands the test decides; it records what was run and said. */
function machine(options: { present?: string[], root?: boolean, apt?: boolean, env?: Record<string, string>, installs?: boolean }) {
  const present = new Set(options.present ?? [])
  const ran: string[] = []
  const said: string[] = []
  const m: Machine = {
    env: options.env ?? {},
    exists: path => present.has(path),
    isRoot: () => options.root ?? false,
    hasApt: () => options.apt ?? true,
    run: (command, args, env) => {
      ran.push(`${Object.entries(env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${command} ${args.join(' ')}`)
      if (options.installs !== false && args[0] === 'install') present.add(DEBIAN_CHROMIUM)
    },
    say: line => said.push(line),
  }
  return { m, ran, said }
}

describe('choosing the Chromium the browser tests drive', () => {
  it('uses Debian\'s Chromium when it is there, installing nothing', () => {
    const { m, ran } = machine({ present: [DEBIAN_CHROMIUM], root: true })
    expect(ensureChromium(m)).toBe(DEBIAN_CHROMIUM)
    expect(ran).toEqual([])
  })

  it('installs Debian\'s chromium with apt when it is missing and the tests run as root, saying so', () => {
    const { m, ran, said } = machine({ root: true })
    expect(ensureChromium(m)).toBe(DEBIAN_CHROMIUM)
    expect(ran).toEqual(['DEBIAN_FRONTEND=noninteractive apt-get update -qq', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'])
    expect(said[0]).toContain('Chromium is missing at /usr/bin/chromium: installing Debian\'s chromium package with apt-get')
  })

  it('says what to run when it may not install (not root, or no apt)', () => {
    for (const options of [{ root: false }, { root: true, apt: false }]) {
      const { m, ran } = machine(options)
      expect(() => ensureChromium(m)).toThrow('Install it with: sudo apt-get install -y chromium')
      expect(ran).toEqual([])
    }
  })

  it('fails clearly when apt-get ran but no Chromium appeared', () => {
    const { m } = machine({ root: true, installs: false })
    expect(() => ensureChromium(m)).toThrow('apt-get installed chromium, but /usr/bin/chromium is still missing.')
  })

  it('follows CHROMIUM_PATH, and never installs over a path the person chose', () => {
    const chosen = machine({ present: ['/opt/chrome/chrome'], env: { CHROMIUM_PATH: '/opt/chrome/chrome' } })
    expect(ensureChromium(chosen.m)).toBe('/opt/chrome/chrome')
    const missing = machine({ root: true, env: { CHROMIUM_PATH: '/nowhere/chromium' } })
    expect(() => ensureChromium(missing.m)).toThrow('CHROMIUM_PATH is /nowhere/chromium, which does not exist.')
    expect(missing.ran).toEqual([])
  })

  it('on this machine, refuses a CHROMIUM_PATH to a missing file before any browser test starts', () => {
    expect(chromiumPath({})).toBe(DEBIAN_CHROMIUM)
    expect(() => ensureChromium({ ...thisMachine, env: { CHROMIUM_PATH: '/nonexistent/chromium' } })).toThrow('which does not exist')
  })
})
