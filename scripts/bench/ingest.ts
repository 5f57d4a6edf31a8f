/**
 * Ingest benchmark (not a test: it prints numbers, it asserts nothing).
 *
 * Builds two 1.5 M-packet captures from ../shared/bench/seed.pcap with ../shared/bench/mkbig.py —
 * one replicated (the same answers again and again, as on a busy link) and one where every IPv4 A
 * answer is new (`--unique-a`, the worst case for any cache) — then measures, in one run and on
 * one core:
 *   records     reading the pcap records alone (the floor of any pipeline)
 *   pdns-mesh   file → frames → IP/UDP/TCP → DNS parser → observations
 *   +window     the same, then the recorder and the aggregation window (no store): an import's
 *               reading thread, all of it but handing batches to the writer thread
 *   dns-packet  the same framing, then dns-packet's decode() per DNS response (the baseline;
 *               like the sensor it skips queries after reading the QR bit)
 * and prints packets/s and the ratios. Then, whole process against whole process (wall time from
 * spawn to exit, and CPU time when /usr/bin/time is there), on both files:
 *   import      `pdns-mesh import` (through bin/pdns-mesh.js, as a user runs it) into a fresh data
 *               directory: startup, parsing, the store's writes and its final flush included
 *   passivedns  gamelinux/passivedns reading the same file (`-r FILE`) with every record type and
 *               NXDOMAIN logged (`-X 46PCDNRSFTOMnHLdIx`) to a file, when a binary is given
 *               (--passivedns PATH or $PASSIVEDNS; it is built from its public source: autoreconf,
 *               configure, make, with libldns-dev and libpcap-dev). Without one the run says so.
 * The two alternate, IMPORT_RUNS times each (passivedns takes minutes on the unique file: its
 * cache is a list walked per answer), and the best run of each counts.
 *
 *   node scripts/bench/ingest.ts [--packets N] [--runs R] [--import-runs R] [--passivedns PATH]
 *                                [--no-import] [--out DIR]
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import dnsPacket from 'dns-packet'
import { PacketDecoder, readCapture } from '../../node/capture/index.ts'
import { AggregationWindow, Recorder } from '../../node/ingest/index.ts'
import { Sensor } from '../../node/sensor/index.ts'

const { values } = parseArgs({
  options: {
    packets: { type: 'string', default: '1500000' },
    runs: { type: 'string', default: '3' },
    'import-runs': { type: 'string', default: '2' },
    passivedns: { type: 'string' },
    'no-import': { type: 'boolean', default: false },
    out: { type: 'string', default: resolve(import.meta.dirname, '../../bench-out') },
  },
})
const PACKETS = Number(values.packets)
const RUNS = Number(values.runs)
const IMPORT_RUNS = Number(values['import-runs'])
const PASSIVEDNS = values.passivedns ?? process.env.PASSIVEDNS ?? null
/** every record type passivedns knows, and NXDOMAIN (we store negatives too) */
const PASSIVEDNS_FLAGS = '46PCDNRSFTOMnHLdIx'
const CLI = resolve(import.meta.dirname, '../../bin/pdns-mesh.js')
const SHARED = resolve(process.env.PDNS_SHARED ?? resolve(import.meta.dirname, '../../../shared'), 'bench')
const PORTS = new Set([53])

function build(name: string, extra: string[]): string {
  mkdirSync(values.out, { recursive: true })
  const file = resolve(values.out, `${name}-${PACKETS}.pcap`)
  if (!existsSync(file)) {
    process.stderr.write(`building ${file} …\n`)
    const r = spawnSync(
      'python3',
      [resolve(SHARED, 'mkbig.py'), resolve(SHARED, 'seed.pcap'), file, String(PACKETS), ...extra],
      { stdio: 'inherit' },
    )
    if (r.status !== 0) throw new Error(`mkbig.py failed (is ${SHARED} there?)`)
  }
  return file
}

interface Result {
  packets: number
  seconds: number
  items: number
}

async function records(file: string): Promise<Result> {
  let n = 0
  const t = performance.now()
  await readCapture(file, () => {
    n++
  })
  return { packets: n, seconds: (performance.now() - t) / 1000, items: n }
}

async function pipeline(file: string): Promise<Result> {
  let obs = 0
  let bytes = 0
  const sensor = new Sensor({ ports: PORTS, clientAddresses: false }, (o) => {
    // touch the rendered fields so nothing can be skipped as unused
    obs++
    bytes += o.rrname.length + (o.rdata?.length ?? 0)
  })
  const t = performance.now()
  await sensor.ingestFile(file)
  sensor.flush()
  const seconds = (performance.now() - t) / 1000
  if (bytes < 0) throw new Error('unreachable')
  return { packets: sensor.stats().frames, seconds, items: obs }
}

async function recorded(file: string): Promise<Result> {
  // the window's batches are counted and dropped: the store is not what this row measures
  let handed = 0
  const window = new AggregationWindow(
    {
      apply: (updates) => {
        handed += updates.length
        return { inserted: updates.length, updated: 0, unchanged: 0 }
      },
    },
    { flushIntervalMs: 0 },
  )
  const recorder = new Recorder({ window }, 1)
  const sensor = new Sensor({ ports: PORTS, clientAddresses: false }, recorder.observe)
  const t = performance.now()
  await sensor.ingestFile(file)
  sensor.flush()
  window.stop()
  const seconds = (performance.now() - t) / 1000
  return { packets: sensor.stats().frames, seconds, items: handed }
}

async function dnsPacketBaseline(file: string): Promise<Result> {
  let rrs = 0
  const decoder = new PacketDecoder({ ports: PORTS }, (buf, off, len) => {
    // like the sensor, skip queries after one look at the QR bit: only responses are decoded
    if (len < 3 || (buf[off + 2]! & 0x80) === 0) return
    // dns-packet throws on malformed messages (the seed holds some): the baseline pays for that too
    try {
      const msg = dnsPacket.decode(Buffer.from(buf.buffer, buf.byteOffset + off, len))
      if (msg.type === 'response') {
        rrs += (msg.answers?.length ?? 0) + (msg.authorities?.length ?? 0) + (msg.additionals?.length ?? 0)
      }
    } catch {
      rrs += 0
    }
  })
  const t = performance.now()
  await readCapture(file, decoder.decode)
  decoder.flush()
  return { packets: decoder.frames, seconds: (performance.now() - t) / 1000, items: rrs }
}

type Method = (f: string) => Promise<Result>
const METHODS: Record<string, Method> = {
  records,
  'pdns-mesh': pipeline,
  '+window': recorded,
  'dns-packet': dnsPacketBaseline,
}

/**
 * Best of RUNS for every (file, method), the runs interleaved: measuring one file's runs back to
 * back favours whichever comes later (JIT tiers, heap growth), which would fake a difference
 * between the replicated and the unique file.
 */
async function measure(files: Record<string, string>): Promise<Record<string, Record<string, Result>>> {
  const table: Record<string, Record<string, Result>> = {}
  for (let i = 0; i < RUNS; i++) {
    for (const [label, file] of Object.entries(files)) {
      const row = table[label] ?? {}
      table[label] = row
      for (const [name, fn] of Object.entries(METHODS)) {
        const r = await fn(file)
        const top = row[name]
        if (top === undefined || r.seconds < top.seconds) row[name] = r
      }
    }
  }
  return table
}

const rate = (r: Result) => r.packets / r.seconds
const fmt = (n: number) => `${(n / 1000).toFixed(0).padStart(6)} k/s`

const files = { replicated: build('big', []), unique: build('big-unique', ['--unique-a']) }
const table = await measure(files)

process.stdout.write(
  `\ningest benchmark: ${PACKETS} packets per file, best of ${RUNS}, Node ${process.version}\n\n`,
)
process.stdout.write(
  `${'file'.padEnd(12)}${'records'.padStart(12)}${'pdns-mesh'.padStart(12)}${'+window'.padStart(12)}${'dns-packet'.padStart(12)}  pdns-mesh/dns-packet  +window/dns-packet  observations  records kept\n`,
)
for (const [label, r] of Object.entries(table)) {
  const ours = r['pdns-mesh']!
  const kept = r['+window']!
  const base = r['dns-packet']!
  process.stdout.write(
    `${label.padEnd(12)}${fmt(rate(r.records!))}${fmt(rate(ours))}${fmt(rate(kept))}${fmt(rate(base))}  ${(rate(ours) / rate(base)).toFixed(2).padStart(19)}×  ${(rate(kept) / rate(base)).toFixed(2).padStart(17)}×  ${String(ours.items).padStart(12)}  ${String(kept.items).padStart(12)}\n`,
  )
}
const slowdown = rate(table.replicated!['pdns-mesh']!) / rate(table.unique!['pdns-mesh']!)
process.stdout.write(
  `\nreplicated/unique speed ratio for pdns-mesh: ${slowdown.toFixed(2)} (1.00 = no slowdown on unique answers)\n`,
)
process.stdout.write('target: ≥ 1,000 k packets/s on both files\n')

// ---------------------------------------------------------------- whole process: import vs passivedns

interface ProcessRun {
  wall: number
  /** user + system seconds of the process and its children, when /usr/bin/time measured them */
  cpu: number | null
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null

/** Runs a command to its end; wall time from spawn to exit, CPU time through /usr/bin/time. */
function timed(cmd: string, args: string[], what: string): Promise<ProcessRun> {
  const timesFile = resolve(values.out, 'time.txt')
  const [bin, argv] = TIME === null ? [cmd, args] : [TIME, ['-f', '%U %S', '-o', timesFile, cmd, ...args]]
  return new Promise((done, fail) => {
    const t = performance.now()
    const child = spawn(bin, argv, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    child.on('error', (err) => fail(new Error(`${what}: cannot run ${cmd}: ${err.message}`)))
    child.on('close', (code) => {
      const wall = (performance.now() - t) / 1000
      if (code !== 0) {
        fail(new Error(`${what} exited with ${code}: ${stderr.trim().slice(-400)}`))
        return
      }
      let cpu: number | null = null
      if (TIME !== null) {
        const [u, sys] = readFileSync(timesFile, 'utf8').trim().split(/\s+/).map(Number)
        if (Number.isFinite(u) && Number.isFinite(sys)) cpu = u! + sys!
      }
      done({ wall, cpu })
    })
  })
}

async function importRun(file: string): Promise<ProcessRun> {
  const data = resolve(values.out, 'import-data')
  rmSync(data, { recursive: true, force: true })
  const r = await timed(
    process.execPath,
    [CLI, 'import', '--data', data, '--quiet', file],
    'pdns-mesh import',
  )
  rmSync(data, { recursive: true, force: true })
  return r
}

async function passivednsRun(file: string): Promise<ProcessRun> {
  const dir = resolve(values.out, 'passivedns-out')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const r = await timed(
    PASSIVEDNS!,
    [
      '-r',
      file,
      '-X',
      PASSIVEDNS_FLAGS,
      '-l',
      join(dir, 'passivedns.log'),
      '-L',
      join(dir, 'nxdomain.log'),
      '-p',
      join(dir, 'passivedns.pid'),
    ],
    'passivedns',
  )
  rmSync(dir, { recursive: true, force: true })
  return r
}

if (!values['no-import']) {
  const haveBaseline = PASSIVEDNS !== null && existsSync(PASSIVEDNS)
  if (!haveBaseline) {
    process.stdout.write(
      `\nno passivedns binary (${PASSIVEDNS === null ? 'give --passivedns PATH or $PASSIVEDNS' : `${PASSIVEDNS} does not exist`}): ` +
        'whole-process import times only, no ratio\n',
    )
  }
  const load = loadavg()[0]!
  const best: Record<string, { ours: ProcessRun | null; theirs: ProcessRun | null }> = {}
  for (let r = 0; r < IMPORT_RUNS; r++) {
    for (const [label, file] of Object.entries(files)) {
      const row = best[label] ?? { ours: null, theirs: null }
      best[label] = row
      // alternate which goes first, so neither always meets a warmer page cache
      const steps: (() => Promise<void>)[] = [
        async () => {
          process.stderr.write(`import ${label}, run ${r + 1} …\n`)
          const x = await importRun(file)
          if (row.ours === null || x.wall < row.ours.wall) row.ours = x
        },
      ]
      if (haveBaseline) {
        steps.push(async () => {
          process.stderr.write(`passivedns ${label}, run ${r + 1} …\n`)
          const x = await passivednsRun(file)
          if (row.theirs === null || x.wall < row.theirs.wall) row.theirs = x
        })
      }
      if (r % 2 === 1) steps.reverse()
      for (const step of steps) await step()
    }
  }
  const secs = (x: ProcessRun | null) =>
    x === null ? '—' : `${x.wall.toFixed(2)} s${x.cpu === null ? '' : ` (${x.cpu.toFixed(2)} cpu)`}`
  process.stdout.write(
    `\nwhole process, best of ${IMPORT_RUNS}: pdns-mesh import into a fresh data directory` +
      `${haveBaseline ? ` vs passivedns -X ${PASSIVEDNS_FLAGS}` : ''}; load average ${load.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after\n\n`,
  )
  process.stdout.write(
    `${'file'.padEnd(12)}${'pdns-mesh import'.padStart(24)}${'passivedns'.padStart(24)}${'speed ×passivedns'.padStart(20)}\n`,
  )
  for (const [label, row] of Object.entries(best)) {
    const ratio =
      row.ours !== null && row.theirs !== null ? `${(row.theirs.wall / row.ours.wall).toFixed(2)}×` : '—'
    process.stdout.write(
      `${label.padEnd(12)}${secs(row.ours).padStart(24)}${secs(row.theirs).padStart(24)}${ratio.padStart(20)}\n`,
    )
  }
  process.stdout.write('targets: ≥ 2× passivedns on the replicated file, ≥ 20× on the unique one\n')
}
