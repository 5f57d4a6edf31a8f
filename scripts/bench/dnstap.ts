/**
 * dnstap benchmark (not a test: it prints numbers, it asserts nothing).
 *
 * Builds one dnstap file (scripts/bench/dnstap/synth.ts: default 500 k CLIENT_RESPONSE and
 * RESOLVER_RESPONSE messages around real DNS responses, seeded) and measures on it, in one run:
 *   baselines
 *     frames        readDnstapFile alone: Frame Streams framing, no decoding (the floor in process)
 *     protobufjs    the same, plus protobufjs's Dnstap.decode of every frame: what the protobuf
 *                   library costs before any of our code runs
 *     pb+dns-packet protobufjs, then dns-packet's decode() of every response_message (a plain
 *                   JavaScript pipeline built from the two libraries)
 *     ldns -q/-y    the peer tool, dnstap-ldns -r FILE (libfstrm + protobuf-c + ldns, C) to
 *                   /dev/null: -q prints a line per message, -y every field and the whole DNS
 *                   message as text (the closer match to what we produce: every record rendered)
 *   ours
 *     ingest        readDnstapFile → DnstapIngest → DnsParser → observations, counted (one core)
 *     import        `pdns-mesh import` of the file into a fresh data directory: a process, end to
 *                   end, RocksDB included (wall time from spawn to exit; its peak RSS)
 *     live          a node (`pdns-mesh start --no-capture`) fed by `fstrm_replay` over its dnstap
 *                   socket: from the replay's start until the node's status counts every message;
 *                   the node's peak RSS (VmHWM) and CPU time
 * The fast methods run RUNS times, interleaved and in rotating order (a method measured back to
 * back gains from warm caches and JIT tiers); import and live, which take longest, run
 * STORE_RUNS times among them. Medians are printed, with every run's rate, and the load average
 * (the machine is shared: a busy neighbour shows there). Progress goes to stderr; every run's
 * numbers to bench-out/dnstap/result-{full,quick}.json. The file is built once and kept.
 *
 * Defaults: 500 k messages, 3 runs, 1 import and live run, about 1.5 min on 2 cores (import and
 * live are bound by the store's write path, at some 20–30 k messages/s: 1 M would take twice as
 * long); --quick: 50 k messages, about 20 s.
 *
 *   node scripts/bench/dnstap.ts [--quick] [--messages N] [--runs R] [--store-runs S] [--seed N]
 *                                [--out DIR] [--keep]
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import dnsPacket from 'dns-packet'
import { RemoteBackend } from '../../node/api/client.ts'
import { controlSocketPath } from '../../node/api/socket-path.ts'
import { readDnstapFile } from '../../node/dnstap/file.ts'
import { DnstapIngest } from '../../node/dnstap/ingest.ts'
import { DNSTAP_CONTENT_TYPE, dnstapSchema } from '../../node/dnstap/schema.ts'
import { count } from './count.ts'
import { writeDnstapFile } from './dnstap/synth.ts'
import { processCpuSeconds, processMemory } from './proc.ts'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    messages: { type: 'string' },
    runs: { type: 'string' },
    'store-runs': { type: 'string' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: resolve(import.meta.dirname, '../../bench-out') },
    keep: { type: 'boolean', default: false },
  },
})

const QUICK = values.quick
const MESSAGES = count(values.messages ?? (QUICK ? '50000' : '500000'), 'messages')
const RUNS = count(values.runs ?? '3', 'runs')
const STORE_RUNS = Math.min(RUNS, count(values['store-runs'] ?? '1', 'store-runs'))
const SEED = count(values.seed, 'seed')
const OUT = resolve(values.out, 'dnstap')
const ROOT = resolve(import.meta.dirname, '../..')
const CLI = join(ROOT, 'bin/pdns-mesh.js')
/** bump when synth.ts changes what it writes, so an old file is not measured as a new one */
const SYNTH_VERSION = 1
/** status polls while the live node works through the replay */
const POLL_MS = 50
const LIVE_START_TIMEOUT_MS = 30_000
/** the live node must count every message within this (or the run fails) */
const liveTimeoutMs = () => 60_000 + MESSAGES / 5

const now = () => performance.now()
const log = (s: string) => process.stderr.write(`${s}\n`)

// ---------------------------------------------------------------- the file

function build(): string {
  mkdirSync(OUT, { recursive: true })
  const file = join(OUT, `synth-v${SYNTH_VERSION}-s${SEED}-${MESSAGES}.dnstap`)
  if (!existsSync(file)) {
    log(`building ${file} …`)
    const t = now()
    writeDnstapFile(file, MESSAGES, SEED)
    log(`  ${((now() - t) / 1000).toFixed(1)} s`)
  }
  return file
}

// ---------------------------------------------------------------- methods

interface Result {
  /** messages handled (must be MESSAGES for the run to count) */
  messages: number
  seconds: number
  /** what the method produced: observations, resource records, lines … */
  items: number
  /** peak RSS of the process measured (children only), bytes */
  peakRss?: number
  /** CPU seconds of the process measured (live node only) */
  cpu?: number
  /** import: its own timing (without process start); live: until fstrm_replay exited */
  innerSeconds?: number
  /** import: records inserted into the store */
  inserted?: number
  /** live: the node's VmHWM when every message was counted (peakRss: up to its exit) */
  countedRss?: number
  /** live: seconds the node took to stop (final window flush) */
  stopSeconds?: number
}

async function frames(file: string): Promise<Result> {
  let n = 0
  const t = now()
  await readDnstapFile(file, () => {
    n++
  })
  return { messages: n, seconds: (now() - t) / 1000, items: n }
}

interface RawFrame {
  message?: { response_message?: Uint8Array }
}

async function protobufjs(file: string): Promise<Result> {
  const { Dnstap } = dnstapSchema()
  let n = 0
  let bytes = 0
  const t = now()
  await readDnstapFile(file, (buf, off, len) => {
    // the very call decodeDnstap makes
    const m = Dnstap.decode(buf.subarray(off, off + len)) as unknown as RawFrame
    bytes += m.message?.response_message?.length ?? 0
    n++
  })
  return { messages: n, seconds: (now() - t) / 1000, items: bytes }
}

async function protobufjsDnsPacket(file: string): Promise<Result> {
  const { Dnstap } = dnstapSchema()
  let n = 0
  let rrs = 0
  const t = now()
  await readDnstapFile(file, (buf, off, len) => {
    const m = Dnstap.decode(buf.subarray(off, off + len)) as unknown as RawFrame
    const dns = m.message?.response_message
    n++
    if (dns === undefined) return
    try {
      const msg = dnsPacket.decode(Buffer.from(dns.buffer, dns.byteOffset, dns.length))
      rrs += (msg.answers?.length ?? 0) + (msg.authorities?.length ?? 0) + (msg.additionals?.length ?? 0)
    } catch {
      rrs += 0
    }
  })
  return { messages: n, seconds: (now() - t) / 1000, items: rrs }
}

async function ingest(file: string): Promise<Result> {
  let obs = 0
  let bytes = 0
  const ing = new DnstapIngest({
    sinkFor: () => (o) => {
      // touch the rendered fields so nothing can be skipped as unused
      obs++
      bytes += o.rrname.length + (o.rdata?.length ?? 0)
    },
  })
  const t = now()
  await readDnstapFile(file, ing.frame)
  const seconds = (now() - t) / 1000
  if (bytes < 0) throw new Error('unreachable')
  return { messages: ing.parsed, seconds, items: obs }
}

/** Runs a child to the end, stdout to /dev/null; resolves with its wall time. */
function runChild(cmd: string, args: string[], what: string): Promise<{ seconds: number; stderr: string }> {
  return new Promise((done, fail) => {
    const t = now()
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      stderr += s
    })
    child.on('error', (err) => fail(new Error(`${what}: cannot run ${cmd}: ${err.message}`)))
    child.on('close', (code, signal) => {
      const seconds = (now() - t) / 1000
      if (code === 0) done({ seconds, stderr })
      else fail(new Error(`${what}: ${cmd} exited with ${code ?? signal}: ${stderr.trim().slice(-500)}`))
    })
  })
}

function ldns(flag: '-q' | '-y') {
  return async (file: string): Promise<Result> => {
    const { seconds } = await runChild('dnstap-ldns', [flag, '-r', file], `dnstap-ldns ${flag}`)
    // dnstap-ldns reports nothing countable without its output: it read the whole file or failed
    return { messages: MESSAGES, seconds, items: 0 }
  }
}

/** GNU time writes the child's peak RSS; without it (not Debian) the import's RSS is not shown. */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null

async function importFile(file: string, run: number): Promise<Result> {
  const dir = join(OUT, `import-${run}`)
  rmSync(dir, { recursive: true, force: true })
  const rssFile = join(OUT, `import-${run}.rss`)
  const args = [CLI, 'import', '--data', dir, '--summary-json', '--no-progress', file]
  const { seconds, stderr } =
    GNU_TIME === null
      ? await runChild(process.execPath, args, 'pdns-mesh import')
      : await runChild(GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...args], 'pdns-mesh import')
  const line = stderr.trim().split('\n').at(-1) ?? ''
  const summary = JSON.parse(line) as {
    dnstapFrames: number
    records: number
    inserted: number
    seconds: number
  }
  const peakRss = GNU_TIME === null ? undefined : Number(readFileSync(rssFile, 'utf8').trim()) * 1024
  if (!values.keep) rmSync(dir, { recursive: true, force: true })
  rmSync(rssFile, { force: true })
  return {
    messages: summary.dnstapFrames,
    seconds,
    items: summary.records,
    innerSeconds: summary.seconds,
    inserted: summary.inserted,
    ...(peakRss === undefined ? {} : { peakRss }),
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface DnstapStatus {
  messages?: Record<string, number>
  ingest?: { parser?: { observations?: number } }
}

async function live(file: string, run: number): Promise<Result> {
  const dir = join(OUT, `live-${run}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const node = spawn(process.execPath, [CLI, 'start', '--no-capture', '--data', dir, '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let nodeErr = ''
  node.stderr!.setEncoding('utf8').on('data', (s: string) => {
    nodeErr = (nodeErr + s).slice(-4000)
  })
  const exited = new Promise<void>((r) => node.on('close', () => r()))
  let replay: ChildProcess | null = null
  const backend = new RemoteBackend(controlSocketPath(dir))
  try {
    const startBy = now() + LIVE_START_TIMEOUT_MS
    let pid = 0
    for (;;) {
      if (node.exitCode !== null) throw new Error(`live node exited with ${node.exitCode}: ${nodeErr.trim()}`)
      try {
        pid = (await backend.ping({ timeoutMs: 1000 })).pid
        if (existsSync(join(dir, 'dnstap.sock'))) break
      } catch {}
      if (now() > startBy) throw new Error(`live node did not answer within ${LIVE_START_TIMEOUT_MS} ms`)
      await sleep(50)
    }
    const cpu0 = processCpuSeconds(pid)
    const t = now()
    let replayed = 0
    replay = spawn('fstrm_replay', ['-t', DNSTAP_CONTENT_TYPE, '-u', join(dir, 'dnstap.sock'), '-r', file], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let replayErr = ''
    replay.stderr!.setEncoding('utf8').on('data', (s: string) => {
      replayErr = (replayErr + s).slice(-2000)
    })
    replay.on('close', (code) => {
      replayed = code === 0 ? now() : -1
    })
    const deadline = t + liveTimeoutMs()
    let seen = 0
    let observations = 0
    while (seen < MESSAGES) {
      if (replayed < 0) throw new Error(`fstrm_replay failed: ${replayErr.trim()}`)
      if (now() > deadline) throw new Error(`live node counted ${seen} of ${MESSAGES} messages in time`)
      await sleep(POLL_MS)
      const s = await backend.status()
      const d = s.components.dnstap as DnstapStatus | null
      seen = Object.values(d?.messages ?? {}).reduce((a, b) => a + b, 0)
      observations = d?.ingest?.parser?.observations ?? 0
    }
    const seconds = (now() - t) / 1000
    const cpu = processCpuSeconds(pid) - cpu0
    // fstrm_replay ends after the node's FINISH; the node may count the last messages a moment before
    while (replayed === 0 && now() < deadline) await sleep(10)
    const innerSeconds = replayed > 0 ? (replayed - t) / 1000 : seconds
    const stopT = now()
    node.kill('SIGTERM')
    // the final window flush may need more memory than ingesting did: follow VmHWM to the exit
    const countedRss = processMemory(pid, 'VmHWM')
    let peakRss = countedRss
    let gone = false
    void exited.then(() => {
      gone = true
    })
    while (!gone) {
      try {
        peakRss = Math.max(peakRss, processMemory(pid, 'VmHWM'))
      } catch {}
      await sleep(POLL_MS)
    }
    const stopSeconds = (now() - stopT) / 1000
    if (node.exitCode !== 0) throw new Error(`live node stopped with ${node.exitCode}: ${nodeErr.trim()}`)
    return {
      messages: seen,
      seconds,
      items: observations,
      peakRss,
      countedRss,
      cpu,
      innerSeconds,
      stopSeconds,
    }
  } finally {
    await backend.close()
    if (replay !== null && replay.exitCode === null) replay.kill('SIGKILL')
    if (node.exitCode === null && node.signalCode === null) {
      node.kill('SIGKILL')
      await exited
    }
    if (!values.keep) rmSync(dir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------- run

type Method = (file: string, run: number) => Promise<Result>
interface Entry {
  key: string
  label: string
  fn: Method
  /** a slow method: runs STORE_RUNS times only */
  store?: boolean
  /** ours (ratios are shown against the baselines) */
  ours?: boolean
}
const METHODS: Entry[] = [
  { key: 'frames', label: 'frames only (readDnstapFile)', fn: frames },
  { key: 'protobufjs', label: 'protobufjs decode', fn: protobufjs },
  { key: 'pbDnsPacket', label: 'protobufjs + dns-packet', fn: protobufjsDnsPacket },
  { key: 'ldnsQ', label: 'dnstap-ldns -q', fn: ldns('-q') },
  { key: 'ldnsY', label: 'dnstap-ldns -y', fn: ldns('-y') },
  { key: 'ingest', label: 'DnstapIngest → observations', fn: ingest, ours: true },
  { key: 'import', label: 'pdns-mesh import (RocksDB)', fn: importFile, store: true, ours: true },
  { key: 'live', label: 'live node ← fstrm_replay', fn: live, store: true, ours: true },
]

const file = build()
const loadBefore = loadavg()[0]!
const fileBytes = statSync(file).size
const results = new Map<string, Result[]>(METHODS.map((m) => [m.key, []]))
const started = now()
for (let r = 0; r < RUNS; r++) {
  const todo = METHODS.filter((m) => !m.store || r < STORE_RUNS)
  // rotate, so no method always comes first (cold) or right after the same neighbour
  const order = todo.map((_, k) => todo[(k + r) % todo.length]!)
  for (const m of order) {
    process.stderr.write(`run ${r + 1}/${RUNS}: ${m.label} … `)
    const res = await m.fn(file, r)
    if (res.messages !== MESSAGES)
      throw new Error(`${m.label}: handled ${res.messages} of ${MESSAGES} messages`)
    results.get(m.key)!.push(res)
    log(`${res.seconds.toFixed(2)} s, ${(res.messages / res.seconds / 1e3).toFixed(0)} k/s`)
  }
}
const total = (now() - started) / 1000
const loadAfter = loadavg()[0]!

// ---------------------------------------------------------------- report

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const med = (key: string, f: (r: Result) => number) => median(results.get(key)!.map(f))
const seconds = (key: string) => med(key, (r) => r.seconds)
const rate = (key: string) => MESSAGES / seconds(key)
const krate = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : `${(n / 1e3).toFixed(0)} k/s`)
const kilo = (n: number) => (n >= 1e6 ? `${+(n / 1e6).toFixed(2)} M` : `${+(n / 1e3).toFixed(1)} k`)
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`
const out = (s = '') => process.stdout.write(`${s}\n`)
const row = (cells: [string, number][]) =>
  cells.map(([c, w], k) => (k === 0 ? c.padEnd(w) : c.padStart(w))).join('')
const ingestRes = results.get('ingest')!
const obsPerMessage = ingestRes[0]!.items / MESSAGES

out()
out(
  `dnstap benchmark: ${kilo(MESSAGES)} messages (${mib(fileBytes)}, ${obsPerMessage.toFixed(2)} observations/message), Node ${process.version}, ${process.platform}-${process.arch}, ${availableParallelism()} cores, ${new Date().toISOString().slice(0, 10)}, ${total.toFixed(0)} s in all`,
)
out(
  `median of ${RUNS} interleaved runs (import and live: ${STORE_RUNS}); ratios are messages/s over the baseline's; load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`,
)
out()
out(
  `${row([
    ['method', 31],
    ['median', 9],
    ['messages', 11],
    ['×ldns-q', 9],
    ['×ldns-y', 9],
    ['×protobufjs', 13],
  ])}   runs, k messages/s`,
)
for (const m of METHODS) {
  const r = rate(m.key)
  out(
    row([
      [m.label, 31],
      [`${seconds(m.key).toFixed(2)} s`, 9],
      [krate(r), 11],
      [(r / rate('ldnsQ')).toFixed(2), 9],
      [(r / rate('ldnsY')).toFixed(2), 9],
      [(r / rate('protobufjs')).toFixed(2), 13],
    ]) +
      `   ${results
        .get(m.key)!
        .map((x) => (MESSAGES / x.seconds / 1e3).toFixed(0))
        .join(', ')}`,
  )
}
const pbUs = ((seconds('protobufjs') - seconds('frames')) / MESSAGES) * 1e6
const ourUs = ((seconds('ingest') - seconds('protobufjs')) / MESSAGES) * 1e6
out()
out(
  `per message, in process: framing ${((seconds('frames') / MESSAGES) * 1e6).toFixed(2)} µs, protobufjs ${pbUs.toFixed(2)} µs, our ingest beyond protobufjs ${ourUs.toFixed(2)} µs (message.ts, ingest.ts, the DNS parser)`,
)
const imp = results.get('import')!
out(
  `import: ${krate(MESSAGES / med('import', (r) => r.innerSeconds!))} messages inside the command (${med('import', (r) => r.innerSeconds!).toFixed(2)} s), ${krate(med('import', (r) => r.items / r.seconds))} observations → ${imp[0]!.inserted} records inserted${imp[0]!.peakRss === undefined ? '' : `, peak RSS ${mib(med('import', (r) => r.peakRss!))}`}`,
)
out(
  `live: fstrm_replay done after ${med('live', (r) => r.innerSeconds!).toFixed(2)} s, all counted after ${seconds('live').toFixed(2)} s; node CPU ${med('live', (r) => r.cpu!).toFixed(1)} s (${((med('live', (r) => r.cpu!) / MESSAGES) * 1e6).toFixed(1)} µs/message), peak RSS ${mib(med('live', (r) => r.countedRss!))} when all were counted, ${mib(med('live', (r) => r.peakRss!))} up to its exit; stop (final flush) ${med('live', (r) => r.stopSeconds!).toFixed(1)} s`,
)
mkdirSync(OUT, { recursive: true })
const json = join(OUT, `result-${QUICK ? 'quick' : 'full'}.json`)
writeFileSync(
  json,
  `${JSON.stringify({ messages: MESSAGES, fileBytes, runs: RUNS, storeRuns: STORE_RUNS, node: process.version, results: Object.fromEntries(results) }, null, 1)}\n`,
)
log(`\nevery run: ${json}`)
