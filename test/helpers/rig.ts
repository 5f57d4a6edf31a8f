/**
 * The DNS rig for tests (scripts/rig/rig.sh): nsd authoritative for `test.`, unbound resolving it
 * with dnstap, on free loopback ports of their own and in a temp directory of their own, so tests
 * run in parallel. Also dnsperf, and the zone's records for checking what a sensor saw.
 *
 *   if (!requireRigTools(t)) return
 *   const rig = await startRig({ names: 200, dnstapSocket })
 *   t.after(() => rig.stop())
 *   const perf = await runDnsperf(rig, { runs: 2 })
 */
import { execFile, spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

export const RIG_SCRIPT = fileURLToPath(new URL('../../scripts/rig/rig.sh', import.meta.url))

/** What the rig and its tests run: the daemons, their checkers and control, load, dnstap tools, dig. */
export const RIG_TOOLS = [
  'nsd',
  'nsd-checkconf',
  'unbound',
  'unbound-checkconf',
  'unbound-control',
  'dnsperf',
  'fstrm_capture',
  'dnstap-ldns',
  'dig',
] as const

/** Attempts at starting a rig before giving up: another process can take a free port before nsd or unbound binds it. */
const START_ATTEMPTS = 4

/** Daemons live in /usr/sbin, which a test runner's PATH may lack. */
const SEARCH_PATH = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'].filter(Boolean)

function which(tool: string): string | null {
  for (const dir of SEARCH_PATH) {
    const p = join(dir, tool)
    try {
      accessSync(p, constants.X_OK)
      return p
    } catch {}
  }
  return null
}

/** The environment the rig's tools run in (PATH with /usr/sbin). */
export const RIG_ENV: NodeJS.ProcessEnv = { ...process.env, PATH: SEARCH_PATH.join(delimiter) }

/**
 * Returns true when every tool of the rig is installed (and unbound is built with dnstap). Under CI
 * (CI=true) a missing tool is a failure, never a silent pass; elsewhere the test is skipped with a
 * plain message naming what is missing (`.ci/run` lists the Debian packages).
 */
export function requireRigTools(t: TestContext): boolean {
  const missing: string[] = RIG_TOOLS.filter((tool) => which(tool) === null)
  if (!missing.includes('unbound')) {
    const v = spawnSync(which('unbound')!, ['-V'], { encoding: 'utf8' })
    if (!`${v.stdout}`.includes('--enable-dnstap')) missing.push('unbound built with --enable-dnstap')
  }
  if (missing.length === 0) return true
  const msg =
    `DNS rig tools missing: ${missing.join(', ')} (apt-get install nsd unbound dnsperf fstrm-bin ` +
    'dnstap-ldns dnsutils): rig test not run'
  if (process.env.CI === 'true') throw new Error(msg)
  t.skip(msg)
  return false
}

// ---------------------------------------------------------------- the zone

/** A record nsd serves, in the parser's presentation form (lower case, no trailing dots). */
export interface ZoneRecord {
  name: string
  type: string
  ttl: number
  rdata: string
}

export interface Resolution {
  rcode: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL'
  /** the answer section: a CNAME chain, then the records of the type asked */
  answers: ZoneRecord[]
}

/** Reads a zone file of mkzone.sh's form (one fully qualified record per line). */
export function readZoneFile(file: string): ZoneRecord[] {
  const out: ZoneRecord[] = []
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('$') || line.startsWith(';')) continue
    const m = /^(\S+)\s+(\d+)\s+IN\s+(\S+)\s+(.*)$/.exec(line)
    if (m === null) throw new Error(`${file}: unexpected line ${JSON.stringify(line)}`)
    const type = m[3]!
    // names in rdata lose their trailing dot; TXT strings are kept as written
    const rdata = type === 'TXT' ? m[4]! : m[4]!.split(/\s+/).map(bare).join(' ')
    out.push({ name: bare(m[1]!), type, ttl: Number(m[2]), rdata })
  }
  return out
}

function bare(name: string): string {
  const n = name.toLowerCase()
  return n.length > 1 && n.endsWith('.') ? n.slice(0, -1) : n
}

/** What a resolver answers from these zones (`test.`, `example.`; anything else is SERVFAIL). */
export function resolveIn(zone: readonly ZoneRecord[], name: string, type: string): Resolution {
  const answers: ZoneRecord[] = []
  let qname = bare(name)
  for (let hops = 0; hops < 8; hops++) {
    if (qname !== 'test' && !qname.endsWith('.test') && qname !== 'example' && !qname.endsWith('.example')) {
      return { rcode: 'SERVFAIL', answers: [] }
    }
    const here = zone.filter((r) => r.name === qname)
    const direct = here.filter((r) => r.type === type)
    if (direct.length > 0) return { rcode: 'NOERROR', answers: [...answers, ...direct] }
    const cname = here.find((r) => r.type === 'CNAME')
    if (cname !== undefined) {
      answers.push(cname)
      qname = cname.rdata
      continue
    }
    // a name with records of other types, or with names below it (an empty non-terminal): NODATA
    const exists = here.length > 0 || zone.some((r) => r.name.endsWith(`.${qname}`))
    return { rcode: exists ? 'NOERROR' : 'NXDOMAIN', answers }
  }
  return { rcode: 'SERVFAIL', answers }
}

// ---------------------------------------------------------------- the rig

export interface RigOptions {
  /** hosts h1.test … hN.test in the zone */
  names: number
  /** dnstap unix socket path (default `<dir>/dnstap.sock`) */
  dnstapSocket?: string
  /** dnstap over TCP to `ADDR@PORT` instead of the socket */
  dnstapTcp?: string
  /** false: no dnstap at all */
  dnstap?: boolean
  /** the identity unbound sends in every dnstap message (default "rig") */
  dnstapIdentity?: string
  /** also log CLIENT_QUERY and RESOLVER_QUERY messages */
  dnstapQueries?: boolean
  /** leave the directory in place on stop() (its logs, for a failing test's report) */
  keepDir?: boolean
  signal?: AbortSignal
}

export interface Rig {
  readonly dir: string
  /** nsd on 127.0.0.1 */
  readonly authPort: number
  /** unbound on 127.0.0.1 */
  readonly resolverPort: number
  /** null when dnstap is off or goes over TCP */
  readonly dnstapSocket: string | null
  readonly dnstapIdentity: string
  /** `hN.test A` per host (dnsperf -d format) */
  readonly queriesFile: string
  /** one query per typed record, an NXDOMAIN and a NODATA */
  readonly typedQueriesFile: string
  /** the hosts h1.test … hN.test */
  readonly names: readonly string[]
  /** every record nsd serves (test. and example.) */
  readonly zone: readonly ZoneRecord[]
  /** what unbound answers for a name and type */
  resolve(name: string, type: string): Resolution
  /**
   * Stops unbound and starts it again: same ports, same dnstap socket (a reader sees the
   * connection close and a new one open). With dnstap on it first waits 2 s for unbound's dnstap
   * queue to drain, so that no message is lost (rig.sh says why).
   */
  restartResolver(opts?: { signal?: AbortSignal }): Promise<void>
  /**
   * Stops both daemons (after the same dnstap drain; `drain: false` skips it), waits until they are
   * gone and removes the directory; idempotent.
   */
  stop(opts?: { drain?: boolean }): Promise<void>
}

/** Rigs not stopped yet: stopped at process exit if a test forgot (daemons must never outlive it). */
const running = new Map<string, boolean>()
let exitHook = false

function stopAtExit(dir: string, keepDir: boolean): void {
  running.set(dir, keepDir)
  if (exitHook) return
  exitHook = true
  process.once('exit', () => {
    for (const [d, keep] of running) {
      spawnSync('bash', [RIG_SCRIPT, 'stop', d, '--no-drain'], { env: RIG_ENV, stdio: 'ignore' })
      if (!keep) rmSync(d, { recursive: true, force: true })
    }
  })
}

/** Runs rig.sh to its end (never killed half-way: see startRig); its exit code, stdout and stderr. */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('bash', [RIG_SCRIPT, ...args], { env: RIG_ENV, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err !== null && typeof (err as { code?: unknown }).code !== 'number') reject(err)
      else resolve({ code: err === null ? 0 : Number((err as { code: number }).code), stdout, stderr })
    })
  })
}

/** A port free on 127.0.0.1 for both UDP and TCP at the time of asking. */
export async function freePort(): Promise<number> {
  for (;;) {
    const udp = createSocket('udp4')
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject)
      udp.bind(0, '127.0.0.1', () => resolve(udp.address().port))
    })
    const tcp = createServer()
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false))
      tcp.listen(port, '127.0.0.1', () => resolve(true))
    })
    await new Promise<void>((resolve) => udp.close(() => resolve()))
    if (ok) await new Promise<void>((resolve) => tcp.close(() => resolve()))
    if (ok) return port
  }
}

/** Starts a rig in a new temp directory on free ports; rejects with the rig's own message when it cannot. */
export async function startRig(opts: RigOptions): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'pdns-rig-'))
  const keepDir = opts.keepDir ?? false
  stopAtExit(dir, keepDir)
  const cleanup = async () => {
    await run(['stop', dir, '--no-drain'])
    running.delete(dir)
    if (!keepDir) rmSync(dir, { recursive: true, force: true })
  }
  const common: string[] = ['--names', String(opts.names)]
  if (opts.dnstap === false) common.push('--no-dnstap')
  else if (opts.dnstapTcp !== undefined) common.push('--dnstap-tcp', opts.dnstapTcp)
  else if (opts.dnstapSocket !== undefined) common.push('--dnstap-socket', opts.dnstapSocket)
  if (opts.dnstapIdentity !== undefined) common.push('--dnstap-identity', opts.dnstapIdentity)
  if (opts.dnstapQueries) common.push('--dnstap-queries')
  let authPort = 0
  let resolverPort = 0
  let lastError = ''
  try {
    for (let attempt = 0; attempt < START_ATTEMPTS && authPort === 0; attempt++) {
      opts.signal?.throwIfAborted()
      const a = await freePort()
      let r = await freePort()
      while (r === a) r = await freePort()
      // not cut short by the signal: a start killed half-way could leave a daemon whose pid file is
      // not written yet, which nothing could stop; the signal is honoured once the start is over
      const res = await run(['start', dir, '--auth-port', String(a), '--resolver-port', String(r), ...common])
      if (res.code === 0) {
        authPort = a
        resolverPort = r
      } else lastError = res.stderr.trim()
    }
  } catch (err) {
    await cleanup()
    throw err
  }
  if (opts.signal?.aborted) {
    await cleanup()
    opts.signal.throwIfAborted()
  }
  if (authPort === 0) {
    await cleanup()
    throw new Error(`the DNS rig did not start in ${START_ATTEMPTS} attempts: ${lastError}`)
  }
  const env = readEnv(join(dir, 'rig.env'))
  const zone = [...readZoneFile(join(dir, 'zone.test')), ...readZoneFile(join(dir, 'zone.example'))]
  const names = Array.from({ length: opts.names }, (_, i) => `h${i + 1}.test`)
  let stopped = false
  return {
    dir,
    authPort,
    resolverPort,
    dnstapSocket: env.DNSTAP_SOCKET === '' ? null : env.DNSTAP_SOCKET!,
    dnstapIdentity: env.DNSTAP_IDENTITY!,
    queriesFile: join(dir, 'queries.txt'),
    typedQueriesFile: join(dir, 'typed-queries.txt'),
    names,
    zone,
    resolve: (name, type) => resolveIn(zone, name, type),
    async restartResolver(o = {}) {
      if (stopped) throw new Error('the rig is stopped')
      o.signal?.throwIfAborted()
      // run to its end whatever the signal says (see startRig): unbound is then up, or reported down
      const res = await run(['restart-resolver', dir])
      if (res.code !== 0) throw new Error(`the rig's resolver did not restart: ${res.stderr.trim()}`)
      o.signal?.throwIfAborted()
    },
    async stop(o = {}) {
      if (stopped) return
      stopped = true
      const res = await run(['stop', dir, ...(o.drain === false ? ['--no-drain'] : [])])
      running.delete(dir)
      if (res.code !== 0) throw new Error(`the rig did not stop: ${res.stderr.trim()}`)
      if (!keepDir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

function readEnv(file: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return out
}

/** Whether a pid names a live process (a zombie is not: it holds no socket and does nothing). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** The pid in one of the rig's pid files (`nsd` or `unbound`), or null when there is none. */
export function rigPid(rig: Rig, daemon: 'nsd' | 'unbound'): number | null {
  const file = join(rig.dir, `${daemon}.pid`)
  if (!existsSync(file)) return null
  const pid = Number(readFileSync(file, 'utf8').trim())
  return Number.isInteger(pid) && pid > 0 ? pid : null
}

// ---------------------------------------------------------------- dnsperf

export interface DnsperfOptions {
  /** run for this long (dnsperf -l); without it and without `runs`, the file is sent once */
  durationS?: number
  /** send the file this many times (dnsperf -n) */
  runs?: number
  /** at most this many queries per second (dnsperf -Q) */
  qps?: number
  /** default: the rig's queriesFile */
  queriesFile?: string
  /** seconds before a query counts as lost (dnsperf -t; default 5) */
  timeoutS?: number
  signal?: AbortSignal
}

export interface DnsperfResult {
  sent: number
  completed: number
  lost: number
  /** answers per response code, as dnsperf counts them */
  rcodes: Record<string, number>
  noerror: number
  nxdomain: number
  servfail: number
  runTimeS: number
  qps: number
  avgLatencyS: number
  /** dnsperf's whole report */
  output: string
}

/** Runs dnsperf against the rig's resolver and parses its report. */
export async function runDnsperf(rig: Rig, opts: DnsperfOptions = {}): Promise<DnsperfResult> {
  const args = ['-s', '127.0.0.1', '-p', String(rig.resolverPort), '-d', opts.queriesFile ?? rig.queriesFile]
  if (opts.durationS !== undefined) args.push('-l', String(opts.durationS))
  if (opts.runs !== undefined) args.push('-n', String(opts.runs))
  if (opts.qps !== undefined) args.push('-Q', String(opts.qps))
  if (opts.timeoutS !== undefined) args.push('-t', String(opts.timeoutS))
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      which('dnsperf') ?? 'dnsperf',
      args,
      { env: RIG_ENV, encoding: 'utf8', ...(opts.signal === undefined ? {} : { signal: opts.signal }) },
      (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`dnsperf failed: ${err.message}\n${stderr}`))
        else resolve(`${stdout}${stderr}`)
      },
    )
  })
  return parseDnsperf(output)
}

/** dnsperf 2.x's report ("Queries sent: N", "Response codes: NOERROR n (p%), …"). */
export function parseDnsperf(output: string): DnsperfResult {
  const num = (re: RegExp): number => {
    const m = re.exec(output)
    if (m === null) throw new Error(`dnsperf report without ${re}:\n${output}`)
    return Number(m[1])
  }
  const rcodes: Record<string, number> = {}
  const codes = /Response codes:\s+(.*)/.exec(output)
  if (codes !== null) {
    for (const m of codes[1]!.matchAll(/([A-Z]+) (\d+) \(/g)) rcodes[m[1]!] = Number(m[2])
  }
  return {
    sent: num(/Queries sent:\s+(\d+)/),
    completed: num(/Queries completed:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    rcodes,
    noerror: rcodes.NOERROR ?? 0,
    nxdomain: rcodes.NXDOMAIN ?? 0,
    servfail: rcodes.SERVFAIL ?? 0,
    runTimeS: num(/Run time \(s\):\s+([\d.]+)/),
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgLatencyS: num(/Average Latency \(s\):\s+([\d.]+)/),
    output,
  }
}
