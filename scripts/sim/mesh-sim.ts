/**
 * Scale simulation of the mesh (not a test: it prints numbers). Seeded and deterministic; in one
 * process, for 10, 100, 1000 nodes (and 10 000 with --nodes 10000):
 *
 *   rates     what one node writes to its feed per day, from a resolver model (Zipf name popularity,
 *             disposable names; profiles of 100, 1 000 and 10 000 responses/s, mixed 70/25/5 %),
 *             computed analytically: distinct records in a span of R responses drawn from Zipf(s)
 *             over U names is sum_i 1 - exp(-R p_i). A record is re-sent whenever its stored value
 *             moved since the last entry: at the designed granularity (every 10 s flush) that is
 *             every record seen in the window, so the feed rate is set by the per-window distinct
 *             records, not by the new records of the day; G = 1 h shows a coarser replication clock
 *   full      full replication over a random overlay of k peers: bytes held (records at ~87 B each,
 *             docs/STORAGE.md) and sent/received per node per day (entries at the bytes per record
 *             measured here with scripts/sim/block.ts, have-vectors of N feed heads per exchange),
 *             and propagation measured by an event simulation: each node forwards what it got at
 *             its next flush (random phase in the 10 s interval, 20–80 ms links) to the peers it did
 *             not get it from; hops and latency of first arrival, copies received per node
 *   sharded   a Kademlia DHT (64-bit XOR ids, k = 20, alpha = 3) where each registered domain's
 *             records live on the r nodes closest to sha256(domain): storage per node (mean, max,
 *             max/mean) under Zipf domain sizes, with and without splitting big domains into
 *             sub-shards; traffic; iterative lookups (rounds p50/p99, RPCs); churn (a share of
 *             nodes offline: failed RPCs, lookups still finding the right holders, shards with no
 *             online holder)
 *
 *   node scripts/sim/mesh-sim.ts [--nodes 1000] [--seed 1] [--peers 8] [--replicas 3] [--churn 0.1]
 *                                [--lookups 1000] [--sources 64] [--domains 200000] [--json]
 */
import { parseArgs } from 'node:util'
import { prng } from '../../test/helpers/prng.ts'
import { count } from '../bench/count.ts'
import { feedHeadBytes, measureBatches, PEER_ID } from './block.ts'
import { closest, type IdSpace, type Key, lookup, makeIds, routingTables, shardKey } from './kad.ts'
import { domainName, popularName, synthBatches, ZIPF_S } from './synth.ts'

const DAY = 86_400
/** bytes per (record, vantage) in RocksDB with ZSTD: docs/STORAGE.md (npm run bench:store) */
export const DISK_BYTES_PER_RECORD = 87
const FLUSH_S = 10
/** share of responses that are one-time (disposable) names; see the profile notes */
const DISPOSABLE = 0.0013
/** share of popular records replaced per day (rdata rotation: CDNs, load balancers) */
const DAILY_CHURN = 0.02
const RETENTION_DAYS = 365
const KAD_K = 20
const KAD_ALPHA = 3
/** sub-feed partitions (top 12 bits of the shard key) for the sharded design */
const PARTITIONS = 4096

export interface Profile {
  name: string
  /** DNS responses per second seen by the sensor */
  qps: number
  /** popular names of its clients (Zipf universe) */
  names: number
  /** share of the mesh's nodes */
  share: number
}

export const PROFILES: Profile[] = [
  { name: 'small (office, 100/s)', qps: 100, names: 20_000, share: 0.7 },
  { name: 'medium (campus, 1 k/s)', qps: 1_000, names: 100_000, share: 0.25 },
  { name: 'large (ISP, 10 k/s)', qps: 10_000, names: 400_000, share: 0.05 },
]

/** Expected distinct names among R draws from Zipf(s) over n names. */
export function distinctNames(n: number, s: number, draws: number): number {
  let h = 0
  for (let i = 1; i <= n; i++) h += 1 / i ** s
  let d = 0
  for (let i = 1; i <= n; i++) d += 1 - Math.exp((-draws * (1 / i ** s)) / h)
  return d
}

export interface Rates {
  profile: Profile
  /** distinct records seen in a day */
  distinctPerDay: number
  /** records new to the store per day, steady state */
  newPerDay: number
  /** (record, vantage) pairs held after RETENTION_DAYS */
  heldRecords: number
  /** feed records per day when every changed record is re-sent every flush (10 s) */
  updatesPerDay10s: number
  /** … when re-sent at most once an hour */
  updatesPerDay1h: number
}

export function rates(p: Profile, recordsPerName: number): Rates {
  const perSpan = (seconds: number) => {
    const draws = p.qps * seconds
    return recordsPerName * distinctNames(p.names, ZIPF_S, draws * (1 - DISPOSABLE)) + draws * DISPOSABLE
  }
  const distinctPerDay = perSpan(DAY)
  const popular = recordsPerName * p.names
  const newPerDay = p.qps * DAY * DISPOSABLE + DAILY_CHURN * popular
  return {
    profile: p,
    distinctPerDay,
    newPerDay,
    heldRecords: popular + RETENTION_DAYS * newPerDay,
    updatesPerDay10s: (perSpan(FLUSH_S) * DAY) / FLUSH_S,
    updatesPerDay1h: (perSpan(3600) * DAY) / 3600,
  }
}

/** Bytes per record of a signed entry, by records per entry: measured on the synthetic mix. */
export function entryCurve(seed: number): (batch: number) => number {
  const sizes = [1, 5, 20, 100, 500, 2000]
  const points = sizes.map((size) => {
    const batches = synthBatches(size >= 500 ? 4 : 40, size, {
      seed,
      origin: PEER_ID,
    })
    const m = measureBatches(batches)
    return [size, m.entry / m.records] as const
  })
  return (batch: number) => {
    const b = Math.min(2000, Math.max(1, batch))
    for (let i = 1; i < points.length; i++) {
      const [s1, v1] = points[i]!
      const [s0, v0] = points[i - 1]!
      if (b <= s1) {
        const t = (Math.log(b) - Math.log(s0)) / (Math.log(s1) - Math.log(s0))
        return v0 + t * (v1 - v0)
      }
    }
    return points[points.length - 1]![1]
  }
}

// ---------------------------------------------------------------------------------------------
// full replication: propagation over a random overlay

/** A random graph where every node has at least `k` peers (each node links to k random others). */
export function overlay(n: number, k: number, rand: () => number): number[][] {
  const adj: Set<number>[] = Array.from({ length: n }, () => new Set<number>())
  const want = Math.min(k, n - 1)
  for (let i = 0; i < n; i++) {
    let guard = 0
    while (adj[i]!.size < want && guard++ < 100 * k) {
      const j = Math.floor(rand() * n)
      if (j === i) continue
      adj[i]!.add(j)
      adj[j]!.add(i)
    }
  }
  return adj.map((s) => [...s])
}

/** A binary min-heap of [time, ...payload] events. */
class Heap {
  readonly #t: number[] = []
  readonly #v: number[][] = []
  get size(): number {
    return this.#t.length
  }
  push(t: number, v: number[]): void {
    const ts = this.#t
    const vs = this.#v
    let i = ts.length
    ts.push(t)
    vs.push(v)
    while (i > 0) {
      const p = (i - 1) >> 1
      if (ts[p]! <= t) break
      ts[i] = ts[p]!
      vs[i] = vs[p]!
      i = p
    }
    ts[i] = t
    vs[i] = v
  }
  pop(): [number, number[]] {
    const ts = this.#t
    const vs = this.#v
    const top: [number, number[]] = [ts[0]!, vs[0]!]
    const t = ts.pop()!
    const v = vs.pop()!
    const n = ts.length
    if (n > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const c = l + 1 < n && ts[l + 1]! < ts[l]! ? l + 1 : l
        if (ts[c]! >= t) break
        ts[i] = ts[c]!
        vs[i] = vs[c]!
        i = c
      }
      ts[i] = t
      vs[i] = v
    }
    return top
  }
}

export interface Propagation {
  hops: number[]
  latency: number[]
  /** copies received per node that got the entry */
  copies: number
}

/**
 * One entry created at `source` at time 0, spread by push-at-flush: a node that got it sends it at
 * its next flush to every peer it has not received it from (it cannot know more without a
 * have-vector round trip), each link one-way 20–80 ms.
 */
export function propagate(
  adj: number[][],
  source: number,
  phase: Float64Array,
  lat: (a: number, b: number) => number,
): Propagation {
  const n = adj.length
  const arrival = new Float64Array(n).fill(Number.POSITIVE_INFINITY)
  const hops = new Int32Array(n).fill(-1)
  const from: Set<number>[] = Array.from({ length: n }, () => new Set<number>())
  let copies = 0
  const heap = new Heap()
  // kind 0: arrival [0, node, sender, hops]; kind 1: forward [1, node]
  arrival[source] = 0
  hops[source] = 0
  const nextFlush = (v: number, t: number) =>
    phase[v]! + FLUSH_S * Math.ceil((t - phase[v]!) / FLUSH_S + 1e-9)
  heap.push(nextFlush(source, 0), [1, source])
  while (heap.size > 0) {
    const [t, ev] = heap.pop()
    const v = ev[1]!
    if (ev[0] === 0) {
      copies++
      from[v]!.add(ev[2]!)
      if (t < arrival[v]!) {
        arrival[v] = t
        hops[v] = ev[3]!
        heap.push(nextFlush(v, t), [1, v])
      }
    } else {
      for (const w of adj[v]!) {
        if (from[v]!.has(w)) continue
        heap.push(t + lat(v, w), [0, w, v, hops[v]! + 1])
      }
    }
  }
  const hs: number[] = []
  const ls: number[] = []
  for (let i = 0; i < n; i++) {
    if (i === source || hops[i]! < 0) continue
    hs.push(hops[i]!)
    ls.push(arrival[i]!)
  }
  return { hops: hs, latency: ls, copies: copies / Math.max(1, hs.length) }
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!
}

// ---------------------------------------------------------------------------------------------
// the run

interface FullRow {
  nodes: number
  heldGB: number
  feedLogGBPerDay10s: number
  entriesGBPerDay10s: number
  lazyGBPerDay10s: number
  lazyGBPerDay1h: number
  haveGBPerDay: number
  hopsP50: number
  hopsP99: number
  latencyP50: number
  latencyP99: number
  copies: number
  meanDegree: number
}

interface ShardRow {
  nodes: number
  replicas: number
  storageMeanGB: number
  storageMaxGB: number
  maxOverMean: number
  maxOverMeanSplit: number
  storageMaxSplitGB: number
  sentMeanGBPerDay10s: number
  sentMeanGBPerDay1h: number
  recvMaxGBPerDay1h: number
  roundsP50: number
  roundsP99: number
  rpcsMean: number
  found: number
  churnRoundsP50: number
  churnRoundsP99: number
  churnFailedMean: number
  churnFound: number
  noHolder: number
  rereplicateGB: number
}

function main(): void {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      peers: { type: 'string', default: '8' },
      replicas: { type: 'string', default: '3' },
      churn: { type: 'string', default: '0.1' },
      lookups: { type: 'string', default: '1000' },
      sources: { type: 'string', default: '64' },
      domains: { type: 'string', default: '200000' },
      json: { type: 'boolean' },
    },
  })
  const maxNodes = count(values.nodes, 'nodes')
  const seed = count(values.seed, 'seed')
  const peers = count(values.peers, 'peers')
  const replicas = count(values.replicas, 'replicas')
  const churn = Number(values.churn)
  if (!(churn >= 0 && churn < 1)) throw new Error(`--churn: not in [0, 1): ${values.churn}`)
  const nLookups = count(values.lookups, 'lookups')
  const nSources = count(values.sources, 'sources')
  const nDomains = count(values.domains, 'domains')
  const sizes = [10, 100, 1000, 10_000].filter((n) => n < maxNodes)
  sizes.push(maxNodes)
  const log = (s: string) => process.stderr.write(`${s}\n`)
  const started = performance.now()

  // --- rates
  let rpn = 0
  for (let i = 0; i < 10_000; i++) rpn += popularName(i * 17).records.length
  const recordsPerName = rpn / 10_000
  const curve = entryCurve(seed)
  const perProfile = PROFILES.map((p) => rates(p, recordsPerName))
  const mean = (f: (r: Rates) => number) => perProfile.reduce((s, r) => s + r.profile.share * f(r), 0)
  const meanHeld = mean((r) => r.heldRecords)
  const mean10s = mean((r) => r.updatesPerDay10s)
  const mean1h = mean((r) => r.updatesPerDay1h)
  const meanNew = mean((r) => r.newPerDay)
  /** records per 10 s entry for the mean node (for the entry size) */
  const entryBytes10s = mean(
    (r) => r.updatesPerDay10s * curve(Math.min(2000, r.updatesPerDay10s / (DAY / FLUSH_S))),
  )
  const entryBytes1h = mean(
    (r) => r.updatesPerDay1h * curve(Math.min(2000, r.updatesPerDay1h / (DAY / FLUSH_S))),
  )
  log(`rates computed (${((performance.now() - started) / 1000).toFixed(1)} s)`)

  const GB = 1e9
  const full: FullRow[] = []
  const shard: ShardRow[] = []
  for (const n of sizes) {
    const rand = prng(seed * 7919 + n)
    // --- full replication
    const adj = overlay(n, peers, rand)
    const phase = Float64Array.from({ length: n }, () => rand() * FLUSH_S)
    const latSeed = seed * 31 + n
    const lat = (a: number, b: number) => {
      // a stable per-link one-way latency, 20–80 ms
      let x = (Math.imul(Math.min(a, b), 0x9e3779b1) ^ Math.max(a, b) ^ latSeed) >>> 0
      x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) >>> 0
      return 0.02 + (0.06 * ((x ^ (x >>> 13)) >>> 0)) / 2 ** 32
    }
    const hops: number[] = []
    const latency: number[] = []
    let copies = 0
    const sources = Math.min(n, nSources)
    for (let s = 0; s < sources; s++) {
      const p = propagate(adj, Math.floor(rand() * n), phase, lat)
      hops.push(...p.hops)
      latency.push(...p.latency)
      copies += p.copies / sources
    }
    const meanDegree = adj.reduce((s, a) => s + a.length, 0) / n
    // each node opens one exchange per peer per flush; each carries N heads each way
    const haveBytesPerDay = meanDegree * (DAY / FLUSH_S) * 2 * n * feedHeadBytes(5_000_000)
    full.push({
      nodes: n,
      heldGB: (n * meanHeld * DISK_BYTES_PER_RECORD) / GB,
      feedLogGBPerDay10s: (n * entryBytes10s) / GB,
      entriesGBPerDay10s: ((n - 1) * entryBytes10s * copies) / GB,
      lazyGBPerDay10s: ((n - 1) * entryBytes10s) / GB,
      lazyGBPerDay1h: ((n - 1) * entryBytes1h) / GB,
      haveGBPerDay: haveBytesPerDay / GB,
      hopsP50: quantile(hops, 0.5),
      hopsP99: quantile(hops, 0.99),
      latencyP50: quantile(latency, 0.5),
      latencyP99: quantile(latency, 0.99),
      copies,
      meanDegree,
    })
    log(`n=${n}: full replication done (${((performance.now() - started) / 1000).toFixed(1)} s)`)

    // --- sharded
    const ids: IdSpace = makeIds(n, rand)
    const tables = routingTables(ids, KAD_K, rand)
    const offline = new Uint8Array(n)
    for (let i = 0; i < n; i++) if (rand() < churn) offline[i] = 1
    const online = (i: number) => offline[i] === 0
    const always = () => true
    const r = Math.min(replicas, n)
    // mesh-wide (record, vantage) pairs, spread over registered domains by Zipf(1) sizes
    const total = n * meanHeld
    let h = 0
    for (let d = 1; d <= nDomains; d++) h += 1 / d
    const storage = new Float64Array(n)
    const storageSplit = new Float64Array(n)
    const cap = total / n / 4 // split a domain into sub-shards of at most a quarter of a node's mean share
    let noHolder = 0
    // sha256 of the registered domain (of its sub-shard `domain#s` when split), as the node would key it
    const keyOf = (d: number, sub: number): Key => shardKey(domainName(d), sub)
    for (let d = 1; d <= nDomains; d++) {
      const w = total / (d * h)
      const holders = closest(ids, keyOf(d, 0), r, always)
      for (const i of holders) storage[i]! += w
      if (!holders.some(online)) noHolder++
      const parts = Math.max(1, Math.ceil(w / cap))
      if (parts === 1) for (const i of holders) storageSplit[i]! += w
      else
        for (let s = 1; s <= parts; s++)
          for (const i of closest(ids, keyOf(d, s), r, always)) storageSplit[i]! += w / parts
    }
    const meanStorage = (total * r) / n
    const maxStorage = Math.max(...storage)
    const maxSplit = Math.max(...storageSplit)
    // traffic: each node sends its changed records to the r holders, as one signed entry per
    // partition touched per interval; a holder receives in proportion to its share of storage
    const sent = (perDay: (x: Rates) => number, interval: number) =>
      mean((x) => {
        const perInterval = (perDay(x) * interval) / DAY
        const touched = Math.min(PARTITIONS, perInterval)
        return perDay(x) * curve(perInterval / Math.max(1, touched)) * r
      })
    const sent10s = sent((x) => x.updatesPerDay10s, FLUSH_S)
    const sent1h = sent((x) => x.updatesPerDay1h, 3600)
    const recvMax1h = (n * sent1h * maxSplit) / (total * r)
    // lookups
    const look = (ok: (i: number) => boolean) => {
      const rounds: number[] = []
      let rpcs = 0
      let failed = 0
      let found = 0
      const lr = prng(seed * 104729 + n)
      for (let q = 0; q < nLookups; q++) {
        let origin = Math.floor(lr() * n)
        while (!ok(origin)) origin = (origin + 1) % n
        const key: Key = { hi: Math.floor(lr() * 2 ** 32) >>> 0, lo: Math.floor(lr() * 2 ** 32) >>> 0 }
        const res = lookup(ids, tables, origin, key, KAD_K, KAD_ALPHA, ok, r)
        rounds.push(res.rounds)
        rpcs += res.rpcs
        failed += res.failed
        const truth = closest(ids, key, r, ok)
        if (truth.every((t, j) => res.found[j] === t)) found++
      }
      return { rounds, rpcs: rpcs / nLookups, failed: failed / nLookups, found: found / nLookups }
    }
    const calm = look(always)
    const churned = look(online)
    let lost = 0
    for (let i = 0; i < n; i++) if (offline[i]) lost += storage[i]!
    const offlineCount = offline.reduce((s, x) => s + x, 0)
    shard.push({
      nodes: n,
      replicas: r,
      storageMeanGB: (meanStorage * DISK_BYTES_PER_RECORD) / GB,
      storageMaxGB: (maxStorage * DISK_BYTES_PER_RECORD) / GB,
      maxOverMean: maxStorage / meanStorage,
      maxOverMeanSplit: maxSplit / meanStorage,
      storageMaxSplitGB: (maxSplit * DISK_BYTES_PER_RECORD) / GB,
      sentMeanGBPerDay10s: sent10s / GB,
      sentMeanGBPerDay1h: sent1h / GB,
      recvMaxGBPerDay1h: recvMax1h / GB,
      roundsP50: quantile(calm.rounds, 0.5),
      roundsP99: quantile(calm.rounds, 0.99),
      rpcsMean: calm.rpcs,
      found: calm.found,
      churnRoundsP50: quantile(churned.rounds, 0.5),
      churnRoundsP99: quantile(churned.rounds, 0.99),
      churnFailedMean: churned.failed,
      churnFound: churned.found,
      noHolder: noHolder / nDomains,
      rereplicateGB: offlineCount === 0 ? 0 : ((lost / offlineCount) * DISK_BYTES_PER_RECORD) / GB,
    })
    log(`n=${n}: sharded done (${((performance.now() - started) / 1000).toFixed(1)} s)`)
  }

  if (values.json) {
    process.stdout.write(`${JSON.stringify({ perProfile, recordsPerName, full, shard })}\n`)
    return
  }
  const out = (s: string) => process.stdout.write(`${s}\n`)
  const f0 = (x: number) => Math.round(x).toLocaleString('en-US')
  const f1 = (x: number) =>
    x >= 100 ? f0(x) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(2)
  const pct = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)} %`
  out(
    `# mesh-sim --nodes ${maxNodes} --seed ${seed} --peers ${peers} --replicas ${replicas} --churn ${churn}`,
  )
  out('')
  out(
    `Records per popular name: ${recordsPerName.toFixed(2)}; signed entry bytes/record at 1, 20, 100, 2000 records/entry: ${[1, 20, 100, 2000].map((b) => curve(b).toFixed(1)).join(', ')}`,
  )
  out('')
  out('## Per-node rates (one origin)')
  out('')
  out(
    '| profile | share | distinct records/day | new records/day | held after 1 y | feed records/day (10 s) | feed records/day (1 h) |',
  )
  out('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const x of perProfile) {
    out(
      `| ${x.profile.name} | ${pct(x.profile.share)} | ${f0(x.distinctPerDay)} | ${f0(x.newPerDay)} | ${f0(x.heldRecords)} | ${f0(x.updatesPerDay10s)} | ${f0(x.updatesPerDay1h)} |`,
    )
  }
  out(`| mix (mean node) | | | ${f0(meanNew)} | ${f0(meanHeld)} | ${f0(mean10s)} | ${f0(mean1h)} |`)
  out('')
  out(
    `Mean node: ${f1(entryBytes10s / GB)} GB/day of its own feed at 10 s, ${f1(entryBytes1h / GB)} GB/day at 1 h.`,
  )
  out('')
  out(`## Full replication (overlay of ${peers} peers per node, push at flush)`)
  out('')
  out(
    '| nodes | held after 1 y (GB) | feed log/day (GB) | received/day, eager push, 10 s (GB) | received/day, one copy, 10 s (GB) | … one copy, 1 h (GB) | have-vectors/day (GB) | hops p50/p99 | latency p50/p99 (s) | copies per node (eager) |',
  )
  out('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const x of full) {
    out(
      `| ${f0(x.nodes)} | ${f1(x.heldGB)} | ${f1(x.feedLogGBPerDay10s)} | ${f1(x.entriesGBPerDay10s)} | ${f1(x.lazyGBPerDay10s)} | ${f1(x.lazyGBPerDay1h)} | ${f1(x.haveGBPerDay)} | ${x.hopsP50}/${x.hopsP99} | ${x.latencyP50.toFixed(1)}/${x.latencyP99.toFixed(1)} | ${x.copies.toFixed(2)} |`,
    )
  }
  out('')
  out(
    `Mean peers per node (each dials ${peers}, and is dialled): ${full.map((x) => `${f0(x.nodes)}: ${x.meanDegree.toFixed(1)}`).join(', ')}.`,
  )
  out('')
  out(
    `## Sharded by registered domain (Kademlia k=${KAD_K}, alpha=${KAD_ALPHA}, r=${replicas}, ${nDomains} domains Zipf(1), churn ${pct(churn)})`,
  )
  out('')
  out(
    '| nodes | storage mean (GB) | max (GB) | max/mean | split: max/mean (max GB) | sent/day mean, 10 s / 1 h (GB) | recv/day max, 1 h (GB) | lookup rounds p50/p99 | RPCs | right holders |',
  )
  out('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const x of shard) {
    out(
      `| ${f0(x.nodes)} | ${f1(x.storageMeanGB)} | ${f1(x.storageMaxGB)} | ${x.maxOverMean.toFixed(1)} | ${x.maxOverMeanSplit.toFixed(1)} (${f1(x.storageMaxSplitGB)}) | ${f1(x.sentMeanGBPerDay10s)} / ${f1(x.sentMeanGBPerDay1h)} | ${f1(x.recvMaxGBPerDay1h)} | ${x.roundsP50}/${x.roundsP99} | ${x.rpcsMean.toFixed(1)} | ${pct(x.found)} |`,
    )
  }
  out('')
  out(`### With ${pct(churn)} of nodes offline (stale routing tables)`)
  out('')
  out(
    '| nodes | lookup rounds p50/p99 | failed RPCs per lookup | right online holders | domains with no online holder | re-replication per lost node (GB) |',
  )
  out('| ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const x of shard) {
    out(
      `| ${f0(x.nodes)} | ${x.churnRoundsP50}/${x.churnRoundsP99} | ${x.churnFailedMean.toFixed(2)} | ${pct(x.churnFound)} | ${pct(x.noHolder)} | ${f1(x.rereplicateGB)} |`,
    )
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

if (import.meta.main) main()
