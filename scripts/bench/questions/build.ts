/**
 * Builds (or reuses) the synthetic question store of synth.ts in `dir`, for bench:questions and
 * bench:api: domain after domain into Store.apply in batches, progress on stderr. A store is reused
 * when its `bench-q.json` says it was completed with the same number of records.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FLUSH_BATCH_SIZE } from '../../../node/ingest/limits.ts'
import { type RecordUpdate, Store } from '../../../node/store/store.ts'
import { mix } from '../store/synth.ts'
import { lookalikeRecords, ORIGIN_LABEL, recordsOf } from './synth.ts'

export interface BuiltStore {
  dir: string
  /** records asked for */
  records: number
  /** records written (the last domain may overshoot) */
  written: number
  /** registered domains 0..domains-1 hold the records */
  domains: number
  /** of synth.ts (VERSION) */
  version: number
  /** seconds the build took (0 when reused) */
  seconds: number
  reused: boolean
}

const META = 'bench-q.json'
/** bumped whenever synth.ts writes other records: a store of another version is rebuilt */
const VERSION = 2
/** present while a build runs: an unfinished build of ours may be thrown away */
const BUILDING = 'bench-q.building'
const log = (s: string) => process.stderr.write(`${s}\n`)

export function readBuilt(dir: string): BuiltStore | null {
  const file = join(dir, META)
  if (!existsSync(file)) return null
  return { ...(JSON.parse(readFileSync(file, 'utf8')) as BuiltStore), dir, reused: true }
}

/** Waits until RocksDB reports no running or pending flush or compaction (at most `maxMs`). */
export async function settle(store: Store, maxMs = 120_000): Promise<number> {
  const t = performance.now()
  const busy = () =>
    ['rocksdb.num-running-compactions', 'rocksdb.num-running-flushes', 'rocksdb.compaction-pending']
      .map((p) => Number(store.property(p) ?? '0'))
      .some((v) => v > 0)
  for (let quiet = 0; quiet < 3 && performance.now() - t < maxMs; ) {
    await new Promise((r) => setTimeout(r, 200))
    quiet = busy() ? 0 : quiet + 1
  }
  return (performance.now() - t) / 1000
}

export async function buildStore(dir: string, records: number): Promise<BuiltStore> {
  const old = readBuilt(dir)
  if (old !== null && old.records === records && old.version === VERSION) {
    log(`reusing the store in ${dir}: ${old.written} records, ${old.domains} registered domains`)
    return old
  }
  if (old === null && existsSync(join(dir, 'db')) && !existsSync(join(dir, BUILDING))) {
    throw new Error(
      `${dir} holds a database that is not a finished bench-q store: remove it or pick another --store`,
    )
  }
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, BUILDING), '')
  const store = await Store.open(dir, { create: true })
  const start = performance.now()
  let written = 0
  let d = 0
  try {
    const origin = store.originId(ORIGIN_LABEL)
    const la = lookalikeRecords(origin)
    for (let i = 0; i < la.length; i += FLUSH_BATCH_SIZE) store.apply(la.slice(i, i + FLUSH_BATCH_SIZE))
    written += la.length
    let batch: RecordUpdate[] = []
    let shown = start
    while (written < records) {
      const rs = recordsOf(d++, records, origin)
      for (const r of rs) batch.push(r)
      written += rs.length
      if (batch.length >= FLUSH_BATCH_SIZE || written >= records) {
        store.apply(batch)
        batch = []
        const t = performance.now()
        if (t - shown > 5000 || written >= records) {
          shown = t
          const s = (t - start) / 1000
          const rate = written / s
          log(
            `  build: ${(written / 1e6).toFixed(2)} M of ${(records / 1e6).toFixed(2)} M records (${d} domains), ${(rate / 1e3).toFixed(1)} k/s, ${s.toFixed(0)} s, ETA ${((records - written) / rate).toFixed(0)} s`,
          )
        }
      }
    }
  } finally {
    await store.close()
  }
  const built: BuiltStore = {
    dir,
    records,
    written,
    domains: d,
    version: VERSION,
    seconds: (performance.now() - start) / 1000,
    reused: false,
  }
  writeFileSync(join(dir, META), `${JSON.stringify(built)}\n`)
  rmSync(join(dir, BUILDING))
  return built
}

/** `n` distinct domain indexes below `domains`, the same ones for the same seed. */
export function sampleDomains(domains: number, n: number, seed: number): number[] {
  const out = new Set<number>()
  for (let k = 0; out.size < Math.min(n, domains); k++) out.add(mix((seed + k) >>> 0) % domains)
  return [...out]
}

/** p50 and p99 of latencies in ms (the nearest rank below). */
export function pct(ms: readonly number[]): { p50: number; p99: number } {
  const s = [...ms].sort((a, b) => a - b)
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0
  return { p50: at(0.5), p99: at(0.99) }
}
