import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))
export const BIN = fileURLToPath(new URL('../../bin/pdns-mesh.js', import.meta.url))

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  nodeBin?: string
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** run in a process group of its own, so a test can signal the group as a terminal does */
  detached?: boolean
}

/** Starts the real CLI in a child process (through the launcher, as a user would). */
export function startCli(
  args: string[],
  opts: CliOptions = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(opts.nodeBin ?? process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    // nodes started by tests run side by side: no HTTP API unless a test asks for one
    env: opts.env ?? { PDNS_MESH_API: '', ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d
  })
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
  })
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  return { child, done }
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return startCli(args, opts).done
}
