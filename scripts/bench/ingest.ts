/**
 * Ingest benchmark (not a test: it prints numbers, it asserts nothing).
 *
 * Builds two 1.5 M-packet captures from ../shared/bench/seed.pcap with ../shared/bench/mkbig.py —
 * one replicated (the same answers again and again, as on a busy link) and one where every IPv4 A
 * answer is new (`--unique-a`, the worst case for any cache) — then measures, in one run and on
 * one core:
 *   records     reading the pcap records alone (the floor of any pipeline)
 *   pdns-mesh   file → frames → IP/UDP/TCP → DNS parser → observations
 *   dns-packet  the same framing, then dns-packet's decode() per DNS response (the baseline;
 *               like the sensor it skips queries after reading the QR bit)
 * and prints packets/s and the ratios.
 *
 *   node scripts/bench/ingest.ts [--packets N] [--runs R] [--out DIR]
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import dnsPacket from 'dns-packet'
import { PacketDecoder, readCapture } from '../../node/capture/index.ts'
import { Sensor } from '../../node/sensor/index.ts'

const { values } = parseArgs({
  options: {
    packets: { type: 'string', default: '1500000' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string', default: resolve(import.meta.dirname, '../../bench-out') },
  },
})
const PACKETS = Number(values.packets)
const RUNS = Number(values.runs)
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
const METHODS: Record<string, Method> = { records, 'pdns-mesh': pipeline, 'dns-packet': dnsPacketBaseline }

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
  `${'file'.padEnd(12)}${'records'.padStart(12)}${'pdns-mesh'.padStart(12)}${'dns-packet'.padStart(12)}  pdns-mesh/dns-packet  observations\n`,
)
for (const [label, r] of Object.entries(table)) {
  const ours = r['pdns-mesh']!
  const base = r['dns-packet']!
  process.stdout.write(
    `${label.padEnd(12)}${fmt(rate(r.records!))}${fmt(rate(ours))}${fmt(rate(base))}  ${(rate(ours) / rate(base)).toFixed(2).padStart(19)}×  ${ours.items}\n`,
  )
}
const slowdown = rate(table.replicated!['pdns-mesh']!) / rate(table.unique!['pdns-mesh']!)
process.stdout.write(
  `\nreplicated/unique speed ratio for pdns-mesh: ${slowdown.toFixed(2)} (1.00 = no slowdown on unique answers)\n`,
)
process.stdout.write('target: ≥ 1,000 k packets/s on both files\n')
