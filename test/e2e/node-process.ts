/**
 * A real node in a child process (`pdns-mesh start`, through the launcher as an operator runs it),
 * for end-to-end tests: started with a config file of the test's choosing, ready when it logs
 * "node started", talked to through the CLI (which finds it by its control socket), stopped by a
 * signal like a service manager does, or killed.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BIN, REPO, runCli } from '../helpers/run-cli.ts'

export interface NodeLogLine {
  level: string | number
  msg: string
  [key: string]: unknown
}

export interface NodeProcess {
  readonly child: ChildProcess
  readonly dataDir: string
  /** log lines so far (JSON objects) */
  readonly logs: NodeLogLine[]
  /** resolves with the exit code (or 128 + signal) */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** `pdns-mesh stats --format json` through the control socket: store stats plus `node` status */
  stats(): Promise<StatsJson>
  /** every record of every origin, from `pdns-mesh export` */
  exportRecords(): Promise<CofLine[]>
  /** SIGTERM and wait for the exit */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** peak resident set size so far (VmHWM), bytes */
  peakRss(): number
}

export interface CofLine {
  rrname: string
  rrtype: string
  rdata?: string[]
  time_first: number
  time_last: number
  count: number
  sensor_id: string
  bailiwick?: string
  negative?: 'nxdomain' | 'nodata'
}

// biome-ignore lint/suspicious/noExplicitAny: the status JSON is checked field by field in tests
export type StatsJson = Record<string, any>

/** Writes a TOML config for a test node. */
export function writeConfig(dir: string, toml: string): string {
  const file = join(dir, 'pdns-mesh.toml')
  writeFileSync(file, toml)
  return file
}

/** Starts a node and waits until it logs "node started" (or fails if it exits first or takes too long). */
export async function startNode(
  dataDir: string,
  args: string[],
  opts: { readyTimeoutMs?: number; wrap?: string[] } = {},
): Promise<NodeProcess> {
  // `wrap`: a command the node runs under (`ip netns exec NS`: a node in a network namespace)
  const argv = [process.execPath, BIN, 'start', '--data', dataDir, ...args]
  const [cmd, ...rest] = [...(opts.wrap ?? []), ...argv]
  const child = spawn(cmd!, rest, {
    cwd: REPO,
    // nodes started by tests run side by side: no HTTP API unless a test asks for one (--api)
    env: { PDNS_MESH_API: '', ...process.env, PDNS_MESH_DATA: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: NodeLogLine[] = []
  let stderr = ''
  let pending = ''
  let onLine: ((l: NodeLogLine) => void) | null = null
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
    pending += d
    let nl = pending.indexOf('\n')
    while (nl >= 0) {
      const text = pending.slice(0, nl)
      pending = pending.slice(nl + 1)
      nl = pending.indexOf('\n')
      try {
        const line = JSON.parse(text) as NodeLogLine
        logs.push(line)
        onLine?.(line)
      } catch {
        // not a log line (a crash trace): kept in stderr for the failure message
      }
    }
  })
  child.stdout!.resume()
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`node did not start within ${opts.readyTimeoutMs ?? 30_000} ms:\n${stderr}`))
    }, opts.readyTimeoutMs ?? 30_000)
    onLine = (l) => {
      if (l.msg === 'node started') {
        clearTimeout(timer)
        resolve()
      }
    }
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`node exited (${code ?? signal}) before it started:\n${stderr}`))
    })
  })
  const cli = async (cmd: string[]): Promise<string> => {
    const r = await runCli([...cmd, '--data', dataDir])
    if (r.code !== 0) throw new Error(`pdns-mesh ${cmd.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r.stdout
  }
  return {
    child,
    dataDir,
    logs,
    exited,
    async stats() {
      return JSON.parse(await cli(['stats', '--format', 'json'])) as StatsJson
    },
    async exportRecords() {
      const out = await cli(['export'])
      return out
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as CofLine)
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      return await exited
    },
    peakRss() {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
      return m === null ? 0 : Number(m[1]) * 1024
    },
  }
}

/** Polls `fn` until it returns true (conditions that settle after a flush or a reconnection). */
export async function until(what: string, fn: () => Promise<boolean> | boolean, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (await fn()) return
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** (rrname, rrtype, rdata) → count, for one origin label (the vantage that saw it). */
export function recordsOf(lines: readonly CofLine[], origin: string): Map<string, number> {
  const m = new Map<string, number>()
  for (const l of lines) {
    if (l.sensor_id !== origin) continue
    const key = `${l.rrname} ${l.rrtype} ${l.negative ?? (l.rdata ?? []).join(' ')}`
    m.set(key, (m.get(key) ?? 0) + l.count)
  }
  return m
}
