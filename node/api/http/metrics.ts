/**
 * /metrics in the Prometheus text format (prom-client). The node's counters are read from its
 * status() at scrape time (collect callbacks), so no hot path (capture, parsing, the window) pays
 * for metrics; only the API's own requests are observed as they happen.
 */
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  Histogram,
  type Metric,
  type MetricObjectWithValues,
  type MetricValue,
  Registry,
} from 'prom-client'
import type { NodeStatus } from '../types.ts'

// biome-ignore lint/suspicious/noExplicitAny: status components are JSON read defensively below
type Json = any

type Labels = Record<string, string>
type Sample = [Labels, number]

/** Reads `status()` once per scrape, however many metrics ask. */
class StatusCache {
  readonly #status: () => NodeStatus
  #at = -1
  #value: NodeStatus | null = null
  constructor(status: () => NodeStatus) {
    this.#status = status
  }
  get(): Json {
    const now = performance.now()
    if (this.#value === null || now - this.#at > 100) {
      this.#value = this.#status()
      this.#at = now
    }
    return this.#value.components
  }
}

/** Where the node's own metrics come from at each scrape: its status and its store's properties. */
export interface NodeMetricsSource {
  status: () => NodeStatus
  /** a RocksDB property of the node's store (sizes), or null */
  storeProperty: (name: string) => string | null
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0
}

export class ApiMetrics {
  readonly registry = new Registry()
  readonly #requests: Counter<string>
  readonly #latency: Histogram<string>

  /**
   * `node` null: only the API's own request metrics (an API thread's; the node's thread adds them
   * to its registry's with aggregate()).
   */
  constructor(node: NodeMetricsSource | null) {
    const r = this.registry
    this.#requests = new Counter({
      name: 'pdns_api_requests_total',
      help: 'HTTP API requests by route, status and key name',
      labelNames: ['route', 'status', 'key'],
      registers: [r],
    })
    this.#latency = new Histogram({
      name: 'pdns_api_request_duration_seconds',
      help: 'HTTP API request latency (to the end of the answer), by route, status and key name',
      labelNames: ['route', 'status', 'key'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [r],
    })
    if (node !== null) registerNodeMetrics(r, node)
  }

  observe(route: string, status: number, key: string, seconds: number): void {
    const labels = { route, status: String(status), key }
    this.#requests.inc(labels)
    this.#latency.observe(labels, seconds)
  }

  /** This registry's request metrics as prom-client JSON, for another thread's aggregate(). */
  async requestMetrics(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    return [await this.#requests.get(), await this.#latency.get()]
  }

  /** The text of this registry with other threads' request metrics added (summed by labels). */
  async aggregate(others: readonly MetricObjectWithValues<MetricValue<string>>[][]): Promise<string> {
    if (others.length === 0) return this.text()
    const own = await this.registry.getMetricsAsJSON()
    return AggregatorRegistry.aggregate([own, ...others] as never).metrics()
  }

  async text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}

/** The node's metrics, read from its status() and store at scrape time. */
function registerNodeMetrics(r: Registry, { status, storeProperty }: NodeMetricsSource): void {
  const cache = new StatusCache(status)
  const counter = (name: string, help: string, labelNames: string[], samples: (c: Json) => Sample[]) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [r],
      collect() {
        this.reset()
        for (const [l, v] of samples(cache.get())) this.inc(l, Math.max(0, v))
      },
    })
  const gauge = (name: string, help: string, labelNames: string[], samples: (c: Json) => Sample[]) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [r],
      collect() {
        this.reset()
        for (const [l, v] of samples(cache.get())) this.set(l, v)
      },
    })
  const ifaces = (c: Json): Json[] => (Array.isArray(c.capture?.interfaces) ? c.capture.interfaces : [])
  counter('pdns_capture_packets_total', 'Frames captured per interface', ['interface'], (c) =>
    ifaces(c).map((i) => [{ interface: String(i.interface) }, num(i.frames)]),
  )
  counter(
    'pdns_capture_drops_total',
    'Packets dropped per interface: kernel (ring full) or interface (driver)',
    ['interface', 'where'],
    (c) =>
      ifaces(c).flatMap((i): Sample[] => [
        [{ interface: String(i.interface), where: 'kernel' }, num(i.kernel?.dropped)],
        [{ interface: String(i.interface), where: 'interface' }, num(i.kernel?.interfaceDropped)],
      ]),
  )
  counter('pdns_dnstap_frames_total', 'dnstap frames received, by kind', ['kind'], (c) =>
    c.dnstap === null || c.dnstap === undefined
      ? []
      : [
          [{ kind: 'data' }, num(c.dnstap.frames)],
          [{ kind: 'control' }, num(c.dnstap.controlFrames)],
        ],
  )
  counter(
    'pdns_dnstap_connections_total',
    'dnstap connections by how they stand or ended (accepted, finished, eof, cut:<reason>)',
    ['state'],
    (c) => {
      const d = c.dnstap
      if (d === null || d === undefined) return []
      const out: Sample[] = [
        [{ state: 'accepted' }, num(d.connections?.total)],
        [{ state: 'finished' }, num(d.connections?.finished)],
        [{ state: 'eof' }, num(d.connections?.eof)],
      ]
      for (const [k, v] of Object.entries(d.cut ?? {})) out.push([{ state: `cut:${k}` }, num(v)])
      return out
    },
  )
  gauge('pdns_dnstap_connections', 'dnstap connections open now', [], (c) =>
    c.dnstap === null || c.dnstap === undefined ? [] : [[{}, num(c.dnstap.connections?.current)]],
  )
  counter(
    'pdns_parser_anomalies_total',
    'Parser and decoder anomalies by name (live capture and dnstap)',
    ['name', 'input'],
    (c) => {
      const out: Sample[] = []
      for (const [k, v] of Object.entries(c.sensor?.anomalies ?? {}))
        out.push([{ name: k, input: 'capture' }, num(v)])
      for (const [k, v] of Object.entries(c.dnstap?.ingest?.parser?.anomalies ?? {})) {
        out.push([{ name: k, input: 'dnstap' }, num(v)])
      }
      return out
    },
  )
  gauge('pdns_window_pending_records', 'Records waiting in the aggregation window', [], (c) => [
    [{}, num(c.window?.pending)],
  ])
  gauge('pdns_window_pending_bytes', 'Memory estimate of the aggregation window, bytes', [], (c) => [
    [{}, num(c.window?.pendingBytes)],
  ])
  counter('pdns_window_flushes_total', 'Completed window flushes', [], (c) => [[{}, num(c.window?.flushes)]])
  counter('pdns_window_records_total', 'Records written by flushes, by outcome', ['outcome'], (c) =>
    ['inserted', 'updated', 'unchanged'].map((o): Sample => [{ outcome: o }, num(c.window?.[o])]),
  )
  counter(
    'pdns_store_expired_records_total',
    'Records deleted by retention (store.retention, store.retention_remote) since the node started, per origin',
    ['origin'],
    (c) => Object.entries(c.retention?.byOrigin ?? {}).map(([o, v]): Sample => [{ origin: o }, num(v)]),
  )
  const prop = (name: string) => {
    const v = Number(storeProperty(name))
    return Number.isFinite(v) ? v : 0
  }
  new Gauge({
    name: 'pdns_store_keys_estimate',
    help: "RocksDB's estimate of the store's keys (records and their indexes)",
    registers: [r],
    collect() {
      this.set(prop('rocksdb.estimate-num-keys'))
    },
  })
  new Gauge({
    name: 'pdns_store_bytes',
    help: 'Store size: SST files plus memtables, bytes',
    registers: [r],
    collect() {
      this.set(prop('rocksdb.total-sst-files-size') + prop('rocksdb.cur-size-all-mem-tables'))
    },
  })
  // the node keeps the store's write latency as bucket counts (daemon/write-latency.ts): exposed as
  // they are, since a prom-client Histogram can only be fed observations
  const writeHelp = "Store write latency of the window's batches (Store.apply, fsync included), seconds"
  r.registerMetric({
    name: 'pdns_store_write_seconds',
    help: writeHelp,
    type: 'histogram',
    aggregator: 'sum',
    reset() {},
    async get() {
      const w = cache.get().storeWrites
      const values: { labels: Labels; value: number; metricName: string }[] = []
      if (w !== null && w !== undefined && Array.isArray(w.buckets)) {
        w.buckets.forEach((le: number, i: number) => {
          values.push({
            labels: { le: String(le) },
            value: num(w.cumulative?.[i]),
            metricName: 'pdns_store_write_seconds_bucket',
          })
        })
        values.push({
          labels: { le: '+Inf' },
          value: num(w.count),
          metricName: 'pdns_store_write_seconds_bucket',
        })
        values.push({ labels: {}, value: num(w.sumSeconds), metricName: 'pdns_store_write_seconds_sum' })
        values.push({ labels: {}, value: num(w.count), metricName: 'pdns_store_write_seconds_count' })
      }
      return {
        name: 'pdns_store_write_seconds',
        help: writeHelp,
        type: 'histogram',
        aggregator: 'sum',
        values,
      }
    },
  } as unknown as Metric)
  const peers = (c: Json): Json[] => (Array.isArray(c.mesh?.peers) ? c.mesh.peers : [])
  gauge('pdns_mesh_peers', 'Mesh peers by state', ['state'], (c) =>
    c.mesh === null || c.mesh === undefined
      ? []
      : [
          [{ state: 'connected' }, peers(c).filter((p) => p.connected).length],
          [{ state: 'known' }, peers(c).length],
          [{ state: 'banned' }, peers(c).filter((p) => p.bannedUntil !== null).length],
        ],
  )
  counter('pdns_mesh_bytes_total', 'Mesh sync bytes per peer and direction', ['peer', 'direction'], (c) =>
    peers(c).flatMap((p): Sample[] => [
      [{ peer: p.peerId, direction: 'in' }, num(p.bytesIn)],
      [{ peer: p.peerId, direction: 'out' }, num(p.bytesOut)],
    ]),
  )
  counter('pdns_mesh_records_total', 'Mesh records per peer and direction', ['peer', 'direction'], (c) =>
    peers(c).flatMap((p): Sample[] => [
      [{ peer: p.peerId, direction: 'in' }, num(p.recordsIn)],
      [{ peer: p.peerId, direction: 'out' }, num(p.recordsOut)],
    ]),
  )
  gauge(
    'pdns_mesh_sync_lag_seconds',
    'Seconds since the last sync with each peer (the origin of its entries)',
    ['origin'],
    (c) =>
      peers(c)
        .filter((p) => typeof p.lastSync === 'number')
        // lastSync is epoch seconds
        .map((p): Sample => [{ origin: p.peerId }, Math.max(0, Date.now() / 1000 - p.lastSync)]),
  )
}
