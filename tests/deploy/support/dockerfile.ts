import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { DockerfileParser, type Instruction, type JSONInstruction, type ModifiableInstruction } from 'dockerfile-ast'
import dockerignore from '@balena/dockerignore'

/** The repository: the Dockerfile's build context. */
export const repoRoot = join(import.meta.dirname, '../../..')

export interface Step {
  keyword: string
  /** 1-based line of the instruction, for messages. */
  line: number
  /** The arguments as written, flags left out. */
  content: string
  args: string[]
  flags: Map<string, string | null>
  /** The exec form's strings (CMD ["node", ...]), when written that way. */
  json?: string[]
}

export interface Stage {
  index: number
  name?: string
  /** The FROM image, e.g. node:24-slim. */
  image: string
  steps: Step[]
}

function toStep(instruction: Instruction): Step {
  const flags = new Map<string, string | null>()
  if ('getFlags' in instruction) {
    for (const flag of (instruction as ModifiableInstruction).getFlags()) flags.set(flag.getName(), flag.getValue())
  }
  const step: Step = {
    keyword: instruction.getKeyword(),
    line: instruction.getRange().start.line + 1,
    content: instruction.getArgumentsContent() ?? '',
    args: instruction.getArguments().map(a => a.getValue()),
    flags,
  }
  if ('getOpeningBracket' in instruction && (instruction as JSONInstruction).getOpeningBracket()) {
    step.json = (instruction as JSONInstruction).getJSONStrings().map(s => s.getJSONValue())
  }
  return step
}

/** The Dockerfile split into its stages, as dockerfile-ast (the VS Code Docker parser) reads it. */
export function parseDockerfile(path = join(repoRoot, 'Dockerfile')): Stage[] {
  const dockerfile = DockerfileParser.parse(readFileSync(path, 'utf8'))
  const stages: Stage[] = []
  for (const instruction of dockerfile.getInstructions()) {
    const step = toStep(instruction)
    if (step.keyword === 'FROM') {
      const from = dockerfile.getFROMs().find(f => f.getRange().start.line === instruction.getRange().start.line)!
      stages.push({ index: stages.length, name: from.getBuildStage() ?? undefined, image: from.getImage() ?? '', steps: [] })
      continue
    }
    const stage = stages.at(-1)
    if (!stage) throw new Error(`${step.keyword} on line ${step.line} comes before any FROM`)
    stage.steps.push(step)
  }
  return stages
}

/** HEALTHCHECK [flags] CMD ["exec", "form"] -> its command. */
export function healthcheckCommand(step: Step): string[] {
  const command = step.content.replace(/^CMD\s+/i, '')
  if (!command.startsWith('[')) throw new Error(`HEALTHCHECK on line ${step.line} is not in exec form`)
  return JSON.parse(command) as string[]
}

/** ENV a=b c=d (and the old ENV a b form) of a stage, in order. */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {}
  for (const step of stage.steps.filter(s => s.keyword === 'ENV')) {
    if (!step.args[0]?.includes('=')) {
      env[step.args[0]!] = step.args.slice(1).join(' ')
      continue
    }
    for (const pair of step.args) {
      const eq = pair.indexOf('=')
      env[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/^"(.*)"$/, '$1')
    }
  }
  return env
}

/** The .dockerignore rules with Docker's own matching (@balena/dockerignore). */
export function readDockerignore(root = repoRoot) {
  const path = join(root, '.dockerignore')
  return dockerignore({ ignorecase: false }).add(existsSync(path) ? readFileSync(path, 'utf8') : '')
}

/** Every file of the build context that `docker build` would send, relative and POSIX-style. */
export function contextFiles(root = repoRoot): string[] {
  const ignore = readDockerignore(root)
  const text = existsSync(join(root, '.dockerignore')) ? readFileSync(join(root, '.dockerignore'), 'utf8') : ''
  // With an exception (!pattern) a file below an ignored folder may still be sent; without one,
  // an ignored folder can be skipped whole (node_modules is large).
  const hasExceptions = text.split('\n').some(line => line.trim().startsWith('!'))
  const files: string[] = []
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name
      const ignored = ignore.ignores(path)
      if (entry.isDirectory()) {
        if (!ignored || hasExceptions) walk(path)
      }
      else if (!ignored) {
        files.push(path)
      }
    }
  }
  walk('')
  return files.sort()
}

/**
 * A stage's filesystem as a folder on this machine: image path /x is `${root}/x`. Lets the
 * Dockerfile's own COPY, WORKDIR, ENV and RUN steps run here, without a Docker engine.
 */
export class StageFilesystem {
  workdir = '/'
  env: Record<string, string> = {}
  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true })
  }

  /** This machine's path of an image path, relative ones taken from the WORKDIR. */
  host(imagePath: string): string {
    return join(this.root, posix.resolve(this.workdir, imagePath))
  }
}

/**
 * The build stage as this checkout stands after `npm ci && npm run build`: the stage's WORKDIR
 * is the repository, whose COPY . . it is. Lets the final stage take its .output without
 * installing and building everything again in a folder of its own.
 */
export function checkoutAsStage(stage: Stage): Pick<StageFilesystem, 'host'> {
  const workdirs = stage.steps.filter(s => s.keyword === 'WORKDIR').map(s => s.args[0]!)
  const workdir = workdirs.reduce((dir, next) => posix.resolve(dir, next), '/')
  return {
    host(imagePath: string) {
      const relative = posix.relative(workdir, posix.resolve(workdir, imagePath))
      if (relative.startsWith('..')) throw new Error(`${imagePath} is outside the build stage's WORKDIR ${workdir}`)
      return join(repoRoot, relative)
    },
  }
}

export interface RunStageOptions {
  /** Where COPY --from=<stage> reads: that stage's filesystem. */
  stages?: Record<string, Pick<StageFilesystem, 'host'>>
  /** Run RUN steps (else they are skipped: the final stage's RUN prepares its base image only). */
  run?: boolean
  /** PATH for RUN steps; the image's node is this process's Node 24. */
  path?: string
  /** The build context (default: this checkout). */
  context?: string
  log?: (line: string) => void
}

function copyInto(from: string, to: string, destIsDir: boolean, filter?: (source: string) => boolean) {
  const source = statSync(from)
  const target = source.isDirectory() || !destIsDir ? to : join(to, posix.basename(from))
  mkdirSync(source.isDirectory() ? target : dirname(target), { recursive: true })
  cpSync(from, target, { recursive: true, filter })
}

/**
 * An environment of exactly these variables. (Next's types, which next-auth pulls in, make
 * NODE_ENV a required member of ProcessEnv.)
 */
export function processEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return env as unknown as NodeJS.ProcessEnv
}

/** The build host's proxy and CA settings, which a build's network access goes through. */
function buildHostNetwork(): Record<string, string> {
  const names = /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|(HTTPS?|NO)_PROXY|(https?|no)_proxy)$/
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => names.test(e[0]) && e[1] !== undefined))
}

/** Where node:24-slim keeps Node, which the runtime stage copies from the build stage. */
export const BASE_IMAGE_NODE = '/usr/local/bin/node'

/** Carries out a stage's steps in `fs`: WORKDIR, ENV, COPY (context or --from) and, if asked, RUN. */
export function runStage(stage: Stage, fs: StageFilesystem, options: RunStageOptions = {}) {
  const context = options.context ?? repoRoot
  const ignore = readDockerignore(context)
  for (const step of stage.steps) {
    switch (step.keyword) {
      case 'WORKDIR':
        fs.workdir = posix.resolve(fs.workdir, step.args[0]!)
        mkdirSync(fs.host('.'), { recursive: true })
        break
      case 'ENV':
        Object.assign(fs.env, stageEnv({ ...stage, steps: [step] }))
        break
      case 'COPY': {
        const from = step.flags.get('from')
        const paths = step.json ?? step.args
        const sources = paths.slice(0, -1)
        const dest = paths.at(-1)!
        const destIsDir = dest.endsWith('/') || sources.length > 1
        for (const source of sources) {
          if (/[*?[]/.test(source)) throw new Error(`COPY on line ${step.line}: wildcards are not simulated`)
          if (from) {
            // The base image's Node: the laid-out image runs this process's Node 24 (imagePath).
            if (source === BASE_IMAGE_NODE) continue
            const other = options.stages?.[from]
            if (!other) throw new Error(`COPY --from=${from} on line ${step.line}: no such stage filesystem`)
            copyInto(other.host(source), fs.host(dest), destIsDir)
          }
          else {
            const relative = posix.normalize(source).replace(/^\.\/?|\/$/g, '')
            const absolute = join(context, relative)
            // Only what .dockerignore lets through reaches the build.
            const filter = (path: string) => {
              const rel = path.slice(context.length + 1).split('\\').join('/')
              return rel === '' || !ignore.ignores(rel)
            }
            if (relative && ignore.ignores(relative)) throw new Error(`COPY on line ${step.line}: ${source} is excluded by .dockerignore`)
            copyInto(absolute, fs.host(dest), destIsDir, filter)
          }
        }
        break
      }
      case 'RUN':
        if (!options.run) break
        options.log?.(`RUN ${step.content}`)
        execFileSync('sh', ['-c', step.content], {
          cwd: fs.host('.'),
          env: processEnv({ ...buildHostNetwork(), PATH: options.path ?? process.env.PATH, HOME: process.env.HOME, ...fs.env }),
          stdio: ['ignore', 'inherit', 'inherit'],
        })
        break
      default:
        break
    }
  }
}
