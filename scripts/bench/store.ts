/**
 * Store benchmark (not a test: it prints numbers, it asserts nothing).
 *
 * In one run, for each record count (default 1 M and 10 M; `--quick`: 100 k only):
 *   (a) baseline   the binding's batched put rate: random 40-byte keys (one first byte, as one key
 *                  family's), 8-byte values, batches of 10 k through rocks.ts Rocks.write (measured
 *                  before each size and once at the end)
 *   (b) import     unique synthetic records (scripts/bench/store/synth.ts) through AggregationWindow
 *                  → Store.apply (flushIntervalMs 0, default batches): records/s and the ratio to (a);
 *                  also per CPU second of the thread (the machine is shared: CPU time moves less
 *                  than wall time when a neighbour is busy). Then, for the first size only, the same
 *                  records through an import's writer thread (ingest/store-writer.ts: the window in
 *                  this thread, Store.apply in the other), timed from the first add to the end of
 *                  the writer's drain
 *   (c) size       bytes per record on disk. The binding has no compactRange or flush call, so the
 *                  database is closed and reopened (RocksDB replays the WAL into an L0 SST), background
 *                  compactions are waited for, and the SST and WAL files of the directory are summed
 *   (d) lookup     p50/p99 of exact-name lookups of random existing names: LocalBackend.rrset, and a
 *                  raw Rocks range over the name's RRSET prefix as the baseline
 *   (e) scan       /16 address scans: LocalBackend.rdata paged to the end, vs the raw iterator (and
 *                  the raw iterator decoding every key and value) over the same RDATA key range
 * The query phases run in rounds, backend and raw alternating which goes first; the best round counts.
 * Time spent synthesizing records or keys is not counted. Progress goes to stderr.
 *
 *   node scripts/bench/store.ts [--records 1000000,10000000] [--quick] [--puts N] [--lookups N]
 *                               [--scans N] [--rounds R] [--out DIR] [--keep]
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { FLUSH_BATCH_SIZE, IMPORT_HAND_OVER_IDLE_MS } from '../../node/ingest/limits.ts'
import { StoreWriter } from '../../node/ingest/store-writer.ts'
import { AggregationWindow } from '../../node/ingest/window.ts'
import { LocalBackend } from '../../node/query/local.ts'
import { DEFAULT_LIMIT, type Page, type QueryBackend } from '../../node/query/types.ts'
import {
  decodeRdataKey,
  rdataAddressRange,
  rrsetNameRange,
  TAG_DOMAIN,
  TAG_FIRST,
  TAG_FWD,
  TAG_META,
  TAG_ORIGIN,
  TAG_ORIGIN_BY_LABEL,
  TAG_RDATA,
  TAG_RRSET,
  TAG_SEEN,
  TAG_TTL,
} from '../../node/store/keys.ts'
import { Rocks, type Write } from '../../node/store/rocks.ts'
import { Store } from '../../node/store/store.ts'
import { decodeValue } from '../../node/store/value.ts'
import { count } from './count.ts'
import { mix, ownerName, type SynthRecord, synth } from './store/synth.ts'

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000,10000000' },
    quick: { type: 'boolean', default: false },
    puts: { type: 'string', default: '1000000' },
    lookups: { type: 'string', default: '10000' },
    scans: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '2' },
    out: { type: 'string', default: resolve(import.meta.dirname, '../../bench-out') },
    keep: { type: 'boolean', default: false },
  },
})

const SIZES = values.quick ? [100_000] : values.records.split(',').map((s) => count(s, 'records'))
const PUTS = count(values.puts, 'puts')
const LOOKUPS = count(values.lookups, 'lookups')
const SCANS = Math.min(256, count(values.scans, 'scans'))
const ROUNDS = count(values.rounds, 'rounds')
const OUT = resolve(values.out, 'store')
const PUT_BATCH = 10_000
const KEY_BYTES = 40
const VALUE_BYTES = 8
/** records synthesized (untimed) per step of the import */
const CHUNK = 50_000
const WARMUP_LOOKUPS = 1000
/** scan passes are repeated until about this many records were read per method and round */
const SCAN_RECORDS = 500_000
const ORIGIN_LABEL = 'bench'

// ---------------------------------------------------------------- helpers

const now = () => performance.now()
const log = (s: string) => process.stderr.write(`${s}\n`)
const kilo = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(n % 1e6 === 0 ? 0 : 1)} M` : `${n / 1e3} k`)

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))]!
}

/** Same seeds in every phase: the same names, the same /16s. */
function lookupNames(n: number, many: number, seed: number): string[] {
  const out: string[] = []
  for (let k = 0; k < many; k++) out.push(ownerName(mix((seed + k) >>> 0) % n))
  return out
}

function scanBlocks(): { lo: Uint8Array; hi: Uint8Array }[] {
  const seconds = new Set<number>()
  for (let k = 0; seconds.size < SCANS; k++) seconds.add(mix(0x1000 + k) & 0xff)
  return [...seconds].map((s) => ({
    lo: Uint8Array.of(10, s, 0, 0),
    hi: Uint8Array.of(10, s, 255, 255),
  }))
}

// ---------------------------------------------------------------- (a) baseline

async function baseline(): Promise<number> {
  const dir = join(OUT, 'baseline')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(OUT, { recursive: true })
  const rocks = await Rocks.open(dir, { createIfMissing: true })
  let seconds = 0
  try {
    for (let done = 0; done < PUTS; done += PUT_BATCH) {
      const n = Math.min(PUT_BATCH, PUTS - done)
      const keys = randomBytes(KEY_BYTES * n)
      // one first byte for all, as in one key family: Rocks.write groups a batch by first byte
      // (keys.ts tags), which would otherwise sort these random keys into 256 groups
      for (let i = 0; i < n; i++) keys[KEY_BYTES * i] = 0x10
      const vals = randomBytes(VALUE_BYTES * n)
      const writes: Write[] = []
      for (let i = 0; i < n; i++) {
        writes.push({
          put: keys.subarray(KEY_BYTES * i, KEY_BYTES * (i + 1)),
          value: vals.subarray(VALUE_BYTES * i, VALUE_BYTES * (i + 1)),
        })
      }
      const t = now()
      rocks.write(writes)
      seconds += (now() - t) / 1000
    }
  } finally {
    await rocks.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return PUTS / seconds
}

// ---------------------------------------------------------------- (b) import

interface ImportResult {
  records: number
  seconds: number
  /** CPU seconds of this thread during `seconds` */
  cpu: number
  /** of which inside Store.apply */
  applySeconds: number
  wall: number
  inserted: number
  flushes: number
}

const threadCpu = () => {
  const u = process.threadCpuUsage()
  return (u.user + u.system) / 1e6
}

async function importRecords(dataDir: string, n: number, viaWriter = false): Promise<ImportResult> {
  rmSync(dataDir, { recursive: true, force: true })
  mkdirSync(dataDir, { recursive: true })
  const store = await Store.open(dataDir, { create: true })
  const origin = store.originId(ORIGIN_LABEL)
  const writer = viaWriter ? StoreWriter.start(store, { dataDir, seal: false }) : null
  const start = now()
  let seconds = 0
  let cpu = 0
  let added = 0
  let written = 0
  let applySeconds = 0
  let shown = start
  const progress = () => {
    const t = now()
    if (t - shown < 5000) return
    shown = t
    log(
      `  [${kilo(n)}] added ${kilo(added)}, written ${kilo(written)}, ${(seconds + (t - mark) / 1000).toFixed(0)} s timed, ${((t - start) / 1000).toFixed(0)} s wall, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
    )
  }
  let mark = start
  const window = new AggregationWindow(
    writer ?? {
      apply: (updates, options) => {
        const t = now()
        const r = store.apply(updates, options)
        applySeconds += (now() - t) / 1000
        written += updates.length
        progress()
        return r
      },
    },
    // the writer is fed as an import feeds it: idle entries handed over while it has room
    writer === null
      ? { flushIntervalMs: 0 }
      : { flushIntervalMs: 0, handOverIdleMs: IMPORT_HAND_OVER_IDLE_MS },
  )
  window.start()
  try {
    const chunk: SynthRecord[] = []
    for (let done = 0; done < n; done += CHUNK) {
      const m = Math.min(CHUNK, n - done)
      chunk.length = 0
      for (let k = 0; k < m; k++) chunk.push(synth(done + k, origin))
      mark = now()
      const c = threadCpu()
      for (const r of chunk) window.add(r.id, r.first, r.last, r.count, 'add')
      cpu += threadCpu() - c
      seconds += (now() - mark) / 1000
      added += m
      progress()
    }
    mark = now()
    const c = threadCpu()
    window.stop()
    cpu += threadCpu() - c
    seconds += (now() - mark) / 1000
  } finally {
    await writer?.close()
    await store.close()
  }
  const s = window.stats()
  return {
    records: n,
    seconds,
    cpu,
    applySeconds,
    wall: (now() - start) / 1000,
    inserted: s.inserted,
    flushes: s.flushes,
  }
}

// ---------------------------------------------------------------- (c) size on disk

const TAGS: Record<number, string> = {
  [TAG_META]: 'META',
  [TAG_ORIGIN]: 'ORIGIN',
  [TAG_ORIGIN_BY_LABEL]: 'ORIGIN#',
  [TAG_RRSET]: 'RRSET',
  [TAG_RDATA]: 'RDATA',
  [TAG_FWD]: 'FWD',
  [TAG_SEEN]: 'SEEN',
  [TAG_FIRST]: 'FIRST',
  [TAG_TTL]: 'TTL',
  [TAG_DOMAIN]: 'DOMAIN',
}

interface DiskResult {
  sst: number
  wal: number
  other: number
  sstFiles: number
  levels: string
  settleSeconds: number
  /** per tag: keys, key + value bytes */
  tags: Map<string, { keys: number; bytes: number }>
}

async function settle(rocks: Rocks): Promise<void> {
  const busy = () =>
    ['rocksdb.num-running-compactions', 'rocksdb.num-running-flushes', 'rocksdb.compaction-pending']
      .map((p) => Number(rocks.property(p) ?? '0'))
      .some((v) => v > 0)
  const deadline = now() + 600_000
  // a just-opened database may not have scheduled its compactions yet: require a few quiet polls
  for (let quiet = 0; quiet < 3 && now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 200))
    quiet = busy() ? 0 : quiet + 1
  }
}

async function measureDisk(dbDir: string): Promise<DiskResult> {
  const t = now()
  // reopening replays the WAL into an L0 SST: the nearest this binding comes to a flush
  const rocks = await Rocks.open(dbDir)
  try {
    await settle(rocks)
    const settleSeconds = (now() - t) / 1000
    let sst = 0
    let wal = 0
    let other = 0
    let sstFiles = 0
    for (const f of readdirSync(dbDir)) {
      const size = statSync(join(dbDir, f)).size
      if (f.endsWith('.sst')) {
        sst += size
        sstFiles++
      } else if (f.endsWith('.log') && f !== 'LOG' && !f.startsWith('LOG.')) wal += size
      else other += size
    }
    const levels: string[] = []
    for (let l = 0; l < 7; l++) {
      const files = Number(rocks.property(`rocksdb.num-files-at-level${l}`) ?? '0')
      if (files > 0) levels.push(`L${l}:${files}`)
    }
    const tags = new Map<string, { keys: number; bytes: number }>()
    for (const [key, value] of rocks.range({})) {
      const tag = TAGS[key[0]!] ?? `0x${key[0]!.toString(16)}`
      const e = tags.get(tag) ?? { keys: 0, bytes: 0 }
      e.keys++
      e.bytes += key.length + value.length
      tags.set(tag, e)
    }
    return { sst, wal, other, sstFiles, levels: levels.join(' '), settleSeconds, tags }
  } finally {
    await rocks.close()
  }
}

// ---------------------------------------------------------------- (d, e) queries

interface QueryRound {
  p50: number
  p99: number
  /** lookups that found nothing (should be 0) */
  misses: number
  scanRecords: number
  scanSeconds: number
  /** raw only: the same scans decoding every key and value */
  decodeRecords?: number
  decodeSeconds?: number
}

interface Blocks {
  blocks: { lo: Uint8Array; hi: Uint8Array }[]
  repeats: number
}

function latencies(times: Float64Array): { p50: number; p99: number } {
  const sorted = times.slice().sort()
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) }
}

async function backendRound(
  dataDir: string,
  names: string[],
  warm: string[],
  scans: Blocks,
): Promise<QueryRound> {
  const be: QueryBackend = await LocalBackend.open(dataDir)
  try {
    for (const name of warm) await be.rrset({ name: { kind: 'exact', name }, limit: DEFAULT_LIMIT })
    const times = new Float64Array(names.length)
    let misses = 0
    for (let i = 0; i < names.length; i++) {
      const t = now()
      const page = await be.rrset({ name: { kind: 'exact', name: names[i]! }, limit: DEFAULT_LIMIT })
      times[i] = now() - t
      if (page.records.length === 0) misses++
    }
    let scanRecords = 0
    const t = now()
    for (let r = 0; r < scans.repeats; r++) {
      for (const { lo, hi } of scans.blocks) {
        let cursor: string | null = null
        do {
          const page: Page = await be.rdata({
            target: { kind: 'address', lo, hi },
            limit: DEFAULT_LIMIT,
            ...(cursor === null ? {} : { cursor }),
          })
          scanRecords += page.records.length
          cursor = page.cursor
        } while (cursor !== null)
      }
    }
    const scanSeconds = (now() - t) / 1000
    return { ...latencies(times), misses, scanRecords, scanSeconds }
  } finally {
    await be.close()
  }
}

async function rawRound(dbDir: string, names: string[], warm: string[], scans: Blocks): Promise<QueryRound> {
  const rocks = await Rocks.open(dbDir)
  try {
    const lookup = (name: string): number => {
      let found = 0
      for (const _ of rocks.range(rrsetNameRange(name, false))) found++
      return found
    }
    for (const name of warm) lookup(name)
    const times = new Float64Array(names.length)
    let misses = 0
    for (let i = 0; i < names.length; i++) {
      const t = now()
      const found = lookup(names[i]!)
      times[i] = now() - t
      if (found === 0) misses++
    }
    let scanRecords = 0
    let t = now()
    for (let r = 0; r < scans.repeats; r++) {
      for (const { lo, hi } of scans.blocks) {
        for (const _ of rocks.range(rdataAddressRange(lo, hi))) scanRecords++
      }
    }
    const scanSeconds = (now() - t) / 1000
    let decodeRecords = 0
    let sink = 0
    t = now()
    for (let r = 0; r < scans.repeats; r++) {
      for (const { lo, hi } of scans.blocks) {
        for (const [key, value] of rocks.range(rdataAddressRange(lo, hi))) {
          const id = decodeRdataKey(key)
          const v = decodeValue(value)
          if (id !== null && v !== null) sink += v.count + id.rdata.length
          decodeRecords++
        }
      }
    }
    const decodeSeconds = (now() - t) / 1000
    if (sink < 0) throw new Error('unreachable')
    return { ...latencies(times), misses, scanRecords, scanSeconds, decodeRecords, decodeSeconds }
  } finally {
    await rocks.close()
  }
}

function best(rounds: QueryRound[]): QueryRound | null {
  if (rounds.length === 0) return null
  const rate = (r: QueryRound) => r.scanRecords / r.scanSeconds
  const drate = (r: QueryRound) => (r.decodeRecords ?? 0) / (r.decodeSeconds ?? 1)
  const top = rounds.reduce((a, b) => (rate(b) > rate(a) ? b : a))
  const dtop = rounds.reduce((a, b) => (drate(b) > drate(a) ? b : a))
  return {
    p50: Math.min(...rounds.map((r) => r.p50)),
    p99: Math.min(...rounds.map((r) => r.p99)),
    misses: Math.max(...rounds.map((r) => r.misses)),
    scanRecords: top.scanRecords,
    scanSeconds: top.scanSeconds,
    ...(dtop.decodeRecords === undefined
      ? {}
      : { decodeRecords: dtop.decodeRecords, decodeSeconds: dtop.decodeSeconds! }),
  }
}

// ---------------------------------------------------------------- run

interface SizeResult {
  n: number
  imp: ImportResult
  disk: DiskResult
  backend: QueryRound
  raw: QueryRound
  repeats: number
}

const baselineRuns: number[] = []
const results: SizeResult[] = []
let threaded: ImportResult | null = null
const started = now()
for (const n of SIZES) {
  log(`baseline: ${kilo(PUTS)} puts …`)
  baselineRuns.push(await baseline())
  log(`  ${(baselineRuns.at(-1)! / 1e3).toFixed(0)} k puts/s`)
  const dataDir = join(OUT, `records-${n}`)
  log(`import of ${kilo(n)} records into ${dataDir} …`)
  if (threaded === null) {
    log(`import of ${kilo(n)} records through a writer thread …`)
    threaded = await importRecords(join(OUT, `writer-${n}`), n, true)
    rmSync(join(OUT, `writer-${n}`), { recursive: true, force: true })
    log(`  ${(threaded.records / threaded.seconds / 1e3).toFixed(1)} k records/s`)
  }
  const imp = await importRecords(dataDir, n)
  log(`  ${(imp.records / imp.seconds / 1e3).toFixed(1)} k records/s, ${imp.wall.toFixed(0)} s wall`)
  log('size on disk: reopen, wait for compactions, walk the directory …')
  const dbDir = join(dataDir, 'db')
  const disk = await measureDisk(dbDir)
  const names = lookupNames(n, LOOKUPS, 0x2000_0000)
  const warm = lookupNames(n, WARMUP_LOOKUPS, 0x3000_0000)
  const blocks = scanBlocks()
  const perBlock = Math.max(1, Math.round((imp.inserted * 0.88) / 256))
  const repeats = Math.max(1, Math.ceil(SCAN_RECORDS / (perBlock * blocks.length)))
  const scans = { blocks, repeats }
  const backendRounds: QueryRound[] = []
  const rawRounds: QueryRound[] = []
  for (let r = 0; r < ROUNDS; r++) {
    log(`queries, round ${r + 1} of ${ROUNDS} …`)
    const phases = [
      async () => {
        backendRounds.push(await backendRound(dataDir, names, warm, scans))
      },
      async () => {
        rawRounds.push(await rawRound(dbDir, names, warm, scans))
      },
    ]
    if (r % 2 === 1) phases.reverse()
    for (const phase of phases) await phase()
  }
  const res: SizeResult = { n, imp, disk, backend: best(backendRounds)!, raw: best(rawRounds)!, repeats }
  results.push(res)
  log(
    `  lookups p50/p99 ms: backend ${res.backend.p50.toFixed(3)}/${res.backend.p99.toFixed(3)}, raw ${res.raw.p50.toFixed(3)}/${res.raw.p99.toFixed(3)}; /16 scans: backend ${(res.backend.scanRecords / res.backend.scanSeconds / 1e3).toFixed(0)} k/s, raw ${(res.raw.scanRecords / res.raw.scanSeconds / 1e3).toFixed(0)} k/s; ${((disk.sst + disk.wal) / n).toFixed(1)} B/record`,
  )
  if (!values.keep) rmSync(dataDir, { recursive: true, force: true })
}
log('baseline: final run …')
baselineRuns.push(await baseline())
const total = (now() - started) / 1000

// ---------------------------------------------------------------- report

const out = (s = '') => process.stdout.write(`${s}\n`)
const krate = (n: number) => `${(n / 1e3).toFixed(0)} k/s`
const ms = (x: number) => x.toFixed(3)
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`
const row = (cells: [string, number][]) => cells.map(([c, w]) => c.padStart(w)).join('')
const raw = Math.max(...baselineRuns)
/** keys written per record: RRSET, RDATA, FWD, SEEN, FIRST, DOMAIN (counted from the database, not assumed) */
const keysPerRecord = (r: SizeResult) =>
  ['RRSET', 'RDATA', 'FWD', 'SEEN', 'FIRST', 'TTL', 'DOMAIN'].reduce(
    (a, t) => a + (r.disk.tags.get(t)?.keys ?? 0),
    0,
  ) / r.n

out()
out(
  `store benchmark: Node ${process.version}, ${process.platform}-${process.arch}, ${availableParallelism()} cores, ${new Date().toISOString().slice(0, 10)}, ${total.toFixed(0)} s in all`,
)
out()
out(
  `(a) baseline, Rocks.write: ${kilo(PUTS)} random ${KEY_BYTES}-byte keys + ${VALUE_BYTES}-byte values in batches of ${PUT_BATCH / 1000} k`,
)
out(`    best ${krate(raw)} puts (runs: ${baselineRuns.map((r) => (r / 1e3).toFixed(0)).join(', ')} k/s)`)
out()
out(
  `(b) import: unique records, AggregationWindow → Store.apply (flushIntervalMs 0, batches of ${FLUSH_BATCH_SIZE / 1000} k)`,
)
out(
  `${row([
    ['records', 8],
    ['import', 11],
    ['×raw', 7],
    ['keys/rec', 10],
    ['keys', 10],
    ['×raw', 7],
    ['timed', 9],
    ['in apply', 10],
    ['wall', 8],
    ['per CPU s', 11],
  ])}`,
)
for (const r of results) {
  const rate = r.imp.records / r.imp.seconds
  const kpr = keysPerRecord(r)
  out(
    row([
      [kilo(r.n), 8],
      [krate(rate), 11],
      [(rate / raw).toFixed(2), 7],
      [kpr.toFixed(2), 10],
      [krate(rate * kpr), 10],
      [((rate * kpr) / raw).toFixed(2), 7],
      [`${r.imp.seconds.toFixed(1)} s`, 9],
      [`${r.imp.applySeconds.toFixed(1)} s`, 10],
      [`${r.imp.wall.toFixed(0)} s`, 8],
      [krate(r.n / r.imp.cpu), 11],
    ]),
  )
  if (r.imp.inserted !== r.n) out(`    ! inserted ${r.imp.inserted} of ${r.n}`)
}
if (threaded !== null) {
  const rate = threaded.records / threaded.seconds
  out(
    `    through an import's writer thread (window here, Store.apply there), ${kilo(threaded.records)}: ${krate(rate)} ` +
      `(${(rate / raw).toFixed(2)}× raw), this thread's CPU ${threaded.cpu.toFixed(1)} s of ${threaded.seconds.toFixed(1)} s`,
  )
  if (threaded.inserted !== threaded.records)
    out(`    ! inserted ${threaded.inserted} of ${threaded.records}`)
}
out()
out('(c) size on disk: close, reopen (the WAL is replayed into an L0 SST: the binding has no flush or')
out('    compactRange), wait for compactions, sum the files; logical = key + value bytes, uncompressed')
out(
  `${row([
    ['records', 8],
    ['B/rec', 8],
    ['logical', 9],
    ['SST', 12],
    ['WAL', 10],
    ['settle', 8],
  ])}  files`,
)
for (const r of results) {
  let logical = 0
  for (const e of r.disk.tags.values()) logical += e.bytes
  out(
    `${row([
      [kilo(r.n), 8],
      [((r.disk.sst + r.disk.wal) / r.n).toFixed(1), 8],
      [(logical / r.n).toFixed(1), 9],
      [mb(r.disk.sst), 12],
      [mb(r.disk.wal), 10],
      [`${r.disk.settleSeconds.toFixed(0)} s`, 8],
    ])}  ${r.disk.sstFiles} SST (${r.disk.levels}), other files ${mb(r.disk.other)}`,
  )
}
out('    logical bytes per key, by kind (× keys per record):')
for (const r of results) {
  const parts = [...r.disk.tags]
    .filter(([, e]) => e.keys >= r.n / 100)
    .map(([tag, e]) => `${tag} ${(e.bytes / e.keys).toFixed(1)} × ${(e.keys / r.n).toFixed(2)}`)
  out(`    ${kilo(r.n).padStart(6)}: ${parts.join(', ')}`)
}
out()
out(`(d) exact lookups of ${kilo(LOOKUPS)} random existing names, ms (best of ${ROUNDS} rounds)`)
out(
  row([
    ['records', 8],
    ['backend p50', 13],
    ['p99', 8],
    ['raw p50', 10],
    ['p99', 8],
  ]),
)
for (const r of results) {
  const b = r.backend
  out(
    row([
      [kilo(r.n), 8],
      [ms(b.p50), 13],
      [ms(b.p99), 8],
      [ms(r.raw.p50), 10],
      [ms(r.raw.p99), 8],
    ]),
  )
  if (b.misses > 0 || r.raw.misses > 0) out(`    ! misses: backend ${b.misses}, raw ${r.raw.misses}`)
}
out()
out(
  `(e) /16 scans of 10/8 (${SCANS} blocks, pages of ${DEFAULT_LIMIT / 1000} k), records/s (best of ${ROUNDS} rounds)`,
)
out(
  row([
    ['records', 8],
    ['per /16', 9],
    ['backend', 11],
    ['raw', 11],
    ['raw+decode', 12],
    ['backend/raw', 13],
  ]),
)
for (const r of results) {
  const b = r.backend
  const rawRate = r.raw.scanRecords / r.raw.scanSeconds
  const decRate = (r.raw.decodeRecords ?? 0) / (r.raw.decodeSeconds ?? 1)
  const bRate = b.scanRecords / b.scanSeconds
  out(
    row([
      [kilo(r.n), 8],
      [String(Math.round(r.raw.scanRecords / r.repeats / SCANS)), 9],
      [krate(bRate), 11],
      [krate(rawRate), 11],
      [krate(decRate), 12],
      [`${(bRate / rawRate).toFixed(2)}×`, 13],
    ]),
  )
  if (b.scanRecords !== r.raw.scanRecords)
    out(`    ! backend returned ${b.scanRecords} records, the raw iterator ${r.raw.scanRecords}`)
}
out()
out('reference: the bindings did roughly 100–190 k batched puts/s on this machine;')
out('           DCSO balboa exact-name lookup p50 1.2–3.8 ms')
out('targets:   import ≥ 0.5× raw puts, unique records at ≥ 200 k/s, lookup p99 < 1 ms at 10 M,')
out('           scans ≥ 0.5× the raw iterator')
out('           (a record is ~5.4 puts, so records/s cannot pass 0.19× puts/s through the same write path;')
out('           keys ×raw compares like with like)')
