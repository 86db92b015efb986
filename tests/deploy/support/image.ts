import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import {
  checkoutAsStage,
  healthcheckCommand,
  parseDockerfile,
  processEnv,
  repoRoot,
  runStage,
  StageFilesystem,
  type Stage,
} from './dockerfile'

/**
 * The final stage of the Dockerfile laid out as a folder, from the Dockerfile's own steps: its
 * WORKDIR, its ENV, what its COPY instructions bring. Without a Docker engine this is as close to
 * the image as this machine gets; the base image's Node is this process's Node 24.
 */
export interface ImageLayout {
  /** The image's / on this machine. */
  root: string
  /** The WORKDIR on this machine, where CMD runs. */
  workdir: string
  env: Record<string, string>
  user: { uid: number, gid: number }
  cmd: string[]
  healthcheck: string[]
  remove(): void
}

/** Where the build stage comes from: this checkout (built already), or a run of its steps. */
export type BuildSource = 'checkout' | 'simulate'

function stageUser(stage: Stage): { uid: number, gid: number } {
  const user = stage.steps.filter(s => s.keyword === 'USER').at(-1)?.args[0] ?? '0'
  const [uid = '0', gid = uid] = user.split(':')
  if (!/^\d+$/.test(uid) || !/^\d+$/.test(gid)) throw new Error(`USER ${user} is not numeric`)
  return { uid: Number(uid), gid: Number(gid) }
}

/** The PATH the image's commands see: `node` is this process's Node 24, as in node:24-slim. */
export const imagePath = `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`

export function layOutImage(build: BuildSource = 'checkout', log: (line: string) => void = () => {}, context = repoRoot): ImageLayout {
  const stages = parseDockerfile()
  const final = stages.at(-1)!
  const root = mkdtempSync(join(tmpdir(), 'assistant-image-'))
  // mkdtemp makes a private folder; the image's user must be able to reach its WORKDIR.
  chmodSync(root, 0o755)
  const named: Record<string, Pick<StageFilesystem, 'host'>> = {}
  for (const stage of stages.slice(0, -1)) {
    const key = stage.name ?? String(stage.index)
    if (build === 'checkout') {
      named[key] = checkoutAsStage(stage)
      continue
    }
    const fs = new StageFilesystem(join(root, `stage-${key}`))
    runStage(stage, fs, { run: true, path: imagePath, stages: named, log, context })
    named[key] = fs
  }
  const image = new StageFilesystem(join(root, 'image'))
  chmodSync(image.root, 0o755)
  runStage(final, image, { stages: named })
  const cmd = final.steps.filter(s => s.keyword === 'CMD').at(-1)?.json
  const healthcheck = final.steps.filter(s => s.keyword === 'HEALTHCHECK').at(-1)
  if (!cmd || !healthcheck) throw new Error('The final stage needs a CMD in exec form and a HEALTHCHECK')
  return {
    root: image.root,
    workdir: image.host('.'),
    env: image.env,
    user: stageUser(final),
    cmd,
    healthcheck: healthcheckCommand(healthcheck),
    remove: () => rmSync(root, { recursive: true, force: true }),
  }
}

/** Every file under a folder, relative to it. */
export function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name
    return entry.isDirectory() ? listFiles(dir, path) : [path]
  })
}

export const runningAsRoot = process.getuid?.() === 0

/** Hands a folder the server must write (PGlite's data) to the image's user. */
export function giveToImageUser(path: string, layout: ImageLayout) {
  if (!runningAsRoot || !existsSync(path)) return
  chownSync(path, layout.user.uid, layout.user.gid)
  for (const file of listFiles(path)) chownSync(join(path, file), layout.user.uid, layout.user.gid)
}

export interface ImageProcess {
  process: ChildProcess
  output(): string
  exited: Promise<number | null>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * Runs a command as the image would: in its WORKDIR, with its ENV plus `env` and nothing of this
 * machine's environment, as its USER when this process may switch users (setpriv, util-linux).
 */
export function runInImage(layout: ImageLayout, command: string[], env: Record<string, string> = {}): ImageProcess {
  const [file, ...args] = runningAsRoot
    ? ['setpriv', `--reuid=${layout.user.uid}`, `--regid=${layout.user.gid}`, '--clear-groups', '--', ...command]
    : command
  const child = spawn(file!, args, {
    cwd: layout.workdir,
    env: processEnv({ PATH: imagePath, HOME: '/nonexistent', ...layout.env, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => {
    output += chunk
  })
  child.stderr!.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  return {
    process: child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

/** Resolves once `url` answers 2xx, or rejects naming what the process printed. */
export async function waitForOk(url: string, server: ImageProcess, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (server.process.exitCode !== null) throw new Error(`The server exited with ${server.process.exitCode}:\n${server.output()}`)
    if (await fetch(url).then(r => r.ok, () => false)) return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s:\n${server.output()}`)
}

/** The real user id of a running process, from /proc. */
export function processUid(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1])
  }
  catch {
    return undefined
  }
}

export { repoRoot }
