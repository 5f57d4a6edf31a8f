/**
 * Bytes per record on the wire in the mesh's signed feed entries (scripts/sim/block.ts: the packed
 * block, zstd level 3, the SignedEntry around it). Not a test: it prints numbers.
 *
 *   corpus     the records of every capture and dnstap file of the shared corpus (../shared/corpus,
 *              or $PDNS_SHARED/corpus), parsed by the node's own pipeline (Sensor, DnstapIngest) and
 *              kept as the Recorder keeps them (class IN, known types; one record per (record,
 *              vantage) with first/last/count), in the order they were first seen
 *   synthetic  the resolver-like mix of scripts/sim/synth.ts (Zipf names, disposable names,
 *              A/AAAA/CNAME/MX/TXT/NS and negatives), seeded
 *
 * For batch sizes 20, 100, 1000, 2000 (--sizes): packed bytes, zstd bytes and whole-entry bytes per
 * record; --batches synthetic batches per size, every whole batch of the corpus. The corpus is small (test-suite captures, a few thousand records) and unlike a resolver's
 * traffic; it is a check on real names and rdata, the synthetic mix is the sizing input.
 *
 *   node scripts/sim/measure-wire.ts [--sizes 20,100,1000,2000] [--batches 20] [--seed 1] [--json]
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DEFAULT_DNS_PORTS } from '../../node/capture/index.ts'
import { typeNumber } from '../../node/dns/constants.ts'
import type { Observation } from '../../node/dns/observation.ts'
import { DnstapIngest, readDnstapFile } from '../../node/dnstap/index.ts'
import { Sensor } from '../../node/sensor/index.ts'
import { count } from '../bench/count.ts'
import { measureBatches, PEER_ID, type WireRecord } from './block.ts'
import { synthBatches } from './synth.ts'

export const SHARED_DIR = resolve(
  process.env.PDNS_SHARED ?? new URL('../../../shared', import.meta.url).pathname,
)

/** Corpus records as the Recorder would file them, in first-seen order; null without the corpus. */
export async function corpusRecords(): Promise<{ records: WireRecord[]; files: number } | null> {
  const corpus = resolve(SHARED_DIR, 'corpus')
  const manifest = resolve(corpus, 'MANIFEST.tsv')
  if (!existsSync(manifest)) return null
  const [head, ...lines] = readFileSync(manifest, 'utf8').trimEnd().split('\n')
  const cols = head!.split('\t')
  const local = cols.indexOf('local')
  const dup = cols.indexOf('dup_of')
  const byKey = new Map<string, WireRecord>()
  const sinkFor =
    (origin: string) =>
    (o: Observation): void => {
      if (o.rrclass !== 'IN') return
      const rrtype = typeNumber(o.rrtype)
      if (rrtype === null) return
      const kind = o.kind === 'rr' ? 0 : o.kind === 'nxdomain' ? 1 : 2
      const rdata = o.kind === 'rr' ? (o.rdata ?? '') : ''
      const t = Math.floor(o.time / 1e6)
      const k = `${origin}\0${kind}\0${o.rrname}\0${rrtype}\0${o.bailiwick}\0${rdata}`
      const r = byKey.get(k)
      if (r === undefined) {
        byKey.set(k, {
          origin,
          kind,
          rrtype,
          rrname: o.rrname,
          bailiwick: o.bailiwick,
          rdata,
          first: t,
          last: t,
          count: 1,
        })
      } else {
        r.first = Math.min(r.first, t)
        r.last = Math.max(r.last, t)
        r.count++
      }
    }
  let files = 0
  for (const line of lines) {
    const f = line.split('\t')
    const path = f[local]!
    if (f[dup]) continue
    const file = resolve(corpus, path)
    try {
      if (path.startsWith('dnstap/')) {
        const ingest = new DnstapIngest({
          sinkFor: (identity) => sinkFor(identity === null ? PEER_ID : `${PEER_ID}/${identity}`),
        })
        await readDnstapFile(file, ingest.frame)
      } else {
        const sensor = new Sensor({ ports: DEFAULT_DNS_PORTS, clientAddresses: false }, sinkFor(PEER_ID))
        await sensor.ingestFile(file)
        sensor.flush()
      }
    } catch {
      // damaged test inputs: the records before the damage count, as they do in `import`
    }
    files++
  }
  return { records: [...byKey.values()], files }
}

export interface Row {
  source: string
  batch: number
  batches: number
  packedPerRecord: number
  zstdPerRecord: number
  entryPerRecord: number
}

export function measure(source: string, batches: WireRecord[][]): Row {
  const { records, packed, compressed, entry } = measureBatches(batches)
  return {
    source,
    batch: batches[0]?.length ?? 0,
    batches: batches.length,
    packedPerRecord: packed / records,
    zstdPerRecord: compressed / records,
    entryPerRecord: entry / records,
  }
}

function chunk<T>(items: readonly T[], size: number, max: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i + size <= items.length && out.length < max; i += size) out.push(items.slice(i, i + size))
  return out
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '20,100,1000,2000' },
      batches: { type: 'string', default: '20' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean' },
    },
  })
  const sizes = values.sizes.split(',').map((s) => count(s, 'sizes'))
  const nBatches = count(values.batches, 'batches')
  const seed = count(values.seed, 'seed')
  const rows: Row[] = []
  const corpus = await corpusRecords()
  if (corpus === null) {
    process.stderr.write(
      `shared corpus not found at ${resolve(SHARED_DIR, 'corpus')} (set PDNS_SHARED): synthetic mix only\n`,
    )
  } else {
    process.stderr.write(`corpus: ${corpus.records.length} records from ${corpus.files} files\n`)
    for (const size of sizes) {
      // every whole batch of the corpus, so each size covers the same records
      const batches = chunk(corpus.records, size, Number.POSITIVE_INFINITY)
      if (batches.length > 0) rows.push(measure('corpus', batches))
    }
  }
  for (const size of sizes) {
    rows.push(measure('synthetic', synthBatches(nBatches, size, { seed, origin: PEER_ID })))
    rows.push(
      measure(
        'synthetic, 2 vantages',
        synthBatches(nBatches, size, { seed, origin: PEER_ID }).map((b) =>
          b.map((r, i) => (i % 2 === 0 ? r : { ...r, origin: `${PEER_ID}/resolver-1` })),
        ),
      ),
    )
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`)
    return
  }
  const f = (n: number) => n.toFixed(1)
  process.stdout.write(
    '| source | records/entry | entries | packed B/rec | zstd B/rec | signed entry B/rec |\n',
  )
  process.stdout.write('| --- | ---: | ---: | ---: | ---: | ---: |\n')
  for (const r of rows) {
    process.stdout.write(
      `| ${r.source} | ${r.batch} | ${r.batches} | ${f(r.packedPerRecord)} | ${f(r.zstdPerRecord)} | ${f(r.entryPerRecord)} |\n`,
    )
  }
}

if (import.meta.main) await main()
