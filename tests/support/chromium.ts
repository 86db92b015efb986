import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** Debian's Chromium, which the browser tests drive through playwright-core. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium'

/** What choosing a browser needs from the machine; the tests give their own. */
export interface Machine {
  env: Record<string, string | undefined>
  exists(path: string): boolean
  isRoot(): boolean
  hasApt(): boolean
  /** Runs a command, its output shown, throwing when it fails. */
  run(command: string, args: string[], env?: Record<string, string>): void
  say(line: string): void
}

export const thisMachine: Machine = {
  env: process.env,
  exists: existsSync,
  isRoot: () => process.getuid?.() === 0,
  hasApt: () => existsSync('/usr/bin/apt-get'),
  run: (command, args, env = {}) => execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } }),
  say: line => console.log(line),
}

/** The Chromium the browser tests launch: CHROMIUM_PATH when set, else Debian's. */
export function chromiumPath(env: Record<string, string | undefined> = process.env): string {
  return env.CHROMIUM_PATH || DEBIAN_CHROMIUM
}

/**
 * Makes sure the browser tests have a Chromium, so `npm install && npm test` is all the set-up a
 * fresh Debian machine needs: a missing Debian Chromium is installed with apt when the tests run
 * as root (as in CI and containers), saying so; otherwise the error says what to run. A
 * CHROMIUM_PATH that points nowhere is the person's own choice and is never "fixed" behind
 * their back. Returns the path to launch.
 */
export function ensureChromium(machine: Machine = thisMachine): string {
  const path = chromiumPath(machine.env)
  if (machine.exists(path)) return path
  if (machine.env.CHROMIUM_PATH) {
    throw new Error(`CHROMIUM_PATH is ${path}, which does not exist. Point it at a Chromium or Chrome binary, or unset it to use Debian's (${DEBIAN_CHROMIUM}).`)
  }
  if (!machine.isRoot() || !machine.hasApt()) {
    throw new Error(`The browser tests need Chromium at ${DEBIAN_CHROMIUM}. Install it with: sudo apt-get install -y chromium (or set CHROMIUM_PATH to a Chromium or Chrome binary).`)
  }
  machine.say(`[tests] Chromium is missing at ${DEBIAN_CHROMIUM}: installing Debian's chromium package with apt-get (once; later runs find it)…`)
  const env = { DEBIAN_FRONTEND: 'noninteractive' }
  machine.run('apt-get', ['update', '-qq'], env)
  machine.run('apt-get', ['install', '-y', '-qq', 'chromium'], env)
  if (!machine.exists(path)) throw new Error(`apt-get installed chromium, but ${path} is still missing.`)
  machine.say(`[tests] Chromium installed at ${path}.`)
  return path
}
