/**
 * The node: one process that captures (libpcap, dnstap), aggregates, stores and serves the local CLI.
 * This file is the one place where the parts are composed; each part only knows the narrow
 * `components` it is given. Start order is dependency order (store before anything that writes to
 * it, the control socket before the inputs so an operator can watch from the first packet); stop is
 * the reverse, so inputs go quiet before the window's last flush and the store closes last.
 */
import { mkdir } from 'node:fs/promises'
import pkg from '../../package.json' with { type: 'json' }
import { ApiThreads } from '../api/http/index.ts'
import { ControlServer, type NodeStatus, probeControlSocket } from '../api/index.ts'
import { LiveCapture } from '../capture/live/index.ts'
import type { NodeConfig } from '../config/index.ts'
import { DnstapServer } from '../dnstap/index.ts'
import { isPdnsError, PdnsError } from '../errors.ts'
import { loadIdentity } from '../identity/identity.ts'
import { AggregationWindow, isPeersLabel, SensorOrigins, UNNAMED_DNSTAP_SENSOR } from '../ingest/index.ts'
import { type Logger, setLogLevel } from '../log/index.ts'
import { Feeds, LocalFeed, Mesh, storeDigest } from '../mesh/index.ts'
import { LocalBackend } from '../query/local.ts'
import { Sensor } from '../sensor/index.ts'
import { Expiry, type Retention } from '../store/expiry.ts'
import { nativeAddonUnavailable } from '../store/native/index.ts'
import { Store } from '../store/store.ts'
import { createNodeApi, type NodeApi } from './http-api.ts'
import { ImportRunner } from './import-runner.ts'
import { planReload } from './reload.ts'
import { WriteLatency } from './write-latency.ts'

export interface NodeComponents {
  log: Logger
}

interface Running {
  peerId: string
  store: Store
  window: AggregationWindow
  /** Store.apply latency of the window's batches (pdns_store_write_seconds) */
  writes: WriteLatency
  origins: SensorOrigins
  sensor: Sensor
  backend: LocalBackend
  imports: ImportRunner
  control: ControlServer
  api: NodeApi | null
  dnstap: DnstapServer | null
  capture: LiveCapture | null
  feeds: Feeds
  localFeed: LocalFeed
  expiry: Expiry
  mesh: Mesh | null
  /** why live capture is off although it was wanted (a defaulted interface without permission) */
  captureOff: string | null
}

export interface ReloadResult {
  /** config keys applied (empty: the file says what the node already runs with) */
  applied: string[]
  /** mesh peers newly allowed and no longer allowed */
  mesh: { added: string[]; removed: string[] } | null
}

export class PdnsNode {
  #config: NodeConfig
  #configSource: (() => Promise<NodeConfig>) | null = null
  readonly #log: Logger
  #running: Running | null = null
  #startedAt = 0
  /** the store failed under the window: the node cannot keep its promise, stop it */
  #fatal: ((err: unknown) => void) | null = null

  constructor(components: NodeComponents, config: NodeConfig) {
    this.#config = config
    this.#log = components.log
  }

  /** Where `reload()` reads the configuration again (the file and flags `start` was given). */
  setConfigSource(load: () => Promise<NodeConfig>): void {
    this.#configSource = load
  }

  /**
   * Re-reads the configuration and applies what can change live (LIVE_KEYS: the mesh allowlist and
   * peers, the update interval, retention, the log level, the API's default rate and result clamp; API keys
   * and their own rates are re-read from their file whenever it changes). All or nothing: a key that needs a restart, or a
   * configuration that does not load, leaves the running one in place (ERR_CONFIG).
   */
  async reload(): Promise<ReloadResult> {
    const r = this.#running
    if (r === null) throw new PdnsError('ERR_NODE_UNREACHABLE', 'the node is not running')
    if (this.#configSource === null)
      throw new PdnsError('ERR_CONFIG', 'this node has no configuration to reload')
    const next = await this.#configSource()
    const applied = planReload(this.#config, next)
    let mesh: ReloadResult['mesh'] = null
    if (applied.includes('log.level')) {
      setLogLevel(this.#log, next.log.level)
      if (r.api instanceof ApiThreads) r.api.setLogLevel(next.log.level)
    }
    if (r.mesh !== null && (applied.includes('mesh.allow') || applied.includes('mesh.peers'))) {
      mesh = r.mesh.setMembers({ allow: next.mesh.allow, peers: next.mesh.peers })
    }
    if (applied.includes('store.retention') || applied.includes('store.retention_remote')) {
      r.expiry.setRetention(retentionOf(next))
    }
    if (applied.includes('mesh.update_interval')) r.localFeed.setUpdateInterval(next.mesh.updateIntervalMs)
    if (applied.includes('mesh.checkpoint_records'))
      r.localFeed.setCheckpointRecords(checkpointRecordsOf(next.mesh.checkpointRecords))
    if (applied.includes('api.rate') || applied.includes('api.max_limit')) {
      r.api?.setLimits({ ratePerMin: next.api.ratePerMin, maxLimit: next.api.maxLimit })
    }
    this.#config = next
    this.#log.info(
      { applied, mesh },
      applied.length === 0 ? 'reload: nothing changed' : 'configuration reloaded',
    )
    return { applied, mesh }
  }

  /** Called once if a background part fails beyond repair (a store write error). */
  onFatal(handler: (err: unknown) => void): void {
    this.#fatal = handler
  }

  get peerId(): string | null {
    return this.#running?.peerId ?? null
  }

  async start(opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#running !== null) return
    const c = this.#config
    const log = this.#log
    const socketPath = c.controlSocket
    // a second node on the same data would fail on the RocksDB lock anyway; say what is going on first
    if ((await probeControlSocket(socketPath, opts)) === 'alive') {
      throw new PdnsError(
        'ERR_NODE_RUNNING',
        `a node already runs on ${c.dataDir} (it answers on ${socketPath})`,
      )
    }
    try {
      await mkdir(c.dataDir, { recursive: true })
    } catch (err) {
      throw new PdnsError('ERR_DB_IO', `cannot create ${c.dataDir}: ${(err as Error).message}`, {
        cause: err,
      })
    }
    const identity = (await loadIdentity(c.dataDir, { create: true }))!
    const store = await Store.open(c.dataDir, { create: true })
    const undo: (() => Promise<void> | void)[] = [() => store.close()]
    if (!store.nativeAddon) {
      this.#log.warn(
        { component: 'store', reason: nativeAddonUnavailable() ?? 'the binding handle did not check out' },
        "the store's native addon is not in use: it writes key by key and reads through the binding's iterators (slower, the same results)",
      )
    }
    try {
      // the node's own origins' changes are sealed into its signed feed in the store's write batch
      // (whether or not the mesh is on now: a mesh turned on later still sends everything)
      const writes = new WriteLatency()
      const window = new AggregationWindow(
        { apply: (u, o) => writes.time(() => store.apply(u, o)) },
        {
          flushIntervalMs: c.store.flushIntervalMs,
          maxBytes: c.store.windowMaxBytes,
          sync: true,
          // timed and cap flushes write one batch per event-loop turn: capture, dnstap and the control
          // socket keep being read while a large window is written
          background: true,
          onError: (err) => this.#windowFailed(err),
        },
      )
      // retention: a record whose newer sighting waits in the window is kept (the flush moves its
      // last_seen); peers' entries are filtered by the same cutoffs before they are merged
      let imports: ImportRunner | undefined
      const expiry = new Expiry(
        {
          store,
          isRemote: (label) => isPeersLabel(identity.peerId, label),
          // the node's window, or the window of an import running in the node
          pending: (id) => window.holds(id) || imports?.holds(id) === true,
        },
        {
          retention: retentionOf(c),
          onError: (err) =>
            log.error({ err, component: 'retention' }, 'expiry failed; retried at the next pass'),
        },
      )
      const feeds = new Feeds({ store, retention: expiry })
      const localFeed = new LocalFeed({ store, feeds, signer: identity.privateKey }, identity.peerId, {
        updateIntervalMs: c.mesh.updateIntervalMs,
        checkpointRecords: checkpointRecordsOf(c.mesh.checkpointRecords),
        onCheckpoint: (o) => {
          const mesh = log.child({ component: 'mesh' })
          if (o.status === 'complete') {
            const { base, restated, dropped } = o
            mesh.info({ base, restated, dropped, ms: Math.round(o.ms) }, 'feed checkpoint complete')
          } else if (o.status === 'failed') {
            mesh.error({ err: o.err, base: o.base }, 'feed checkpoint failed; retried at a later interval')
          }
        },
        onError: (err) =>
          log.error({ err, component: 'mesh' }, 'sealing updates failed; retried at the next interval'),
      })
      const { backfilled } = localFeed.attach()
      if (backfilled > 0)
        log.info({ component: 'mesh', records: backfilled }, 'sealed records written before the feed existed')
      // updates of records already sealed are sealed every mesh.update_interval (and checkpoints
      // start from the same timer); undone before the store closes: its stop seals what is marked
      localFeed.start()
      undo.unshift(() => localFeed.stop())
      window.start()
      undo.unshift(() => window.stop())
      const origins = new SensorOrigins({ store, window }, identity.peerId)
      // client addresses are never formatted, let alone stored: the store has no field for them
      // (docs/PRIVACY.md)
      const sensor = new Sensor(
        { ports: new Set(c.capture.ports), clientAddresses: false },
        origins.sinkFor(null),
      )
      const backend = LocalBackend.over(store, identity.peerId)
      // `pdns-mesh import` while the node runs: read here, written through the node's store and feed
      imports = new ImportRunner(
        { store, log: log.child({ component: 'import' }), onWindowError: (err) => this.#windowFailed(err) },
        {
          peerId: identity.peerId,
          dataDir: c.dataDir,
          flushIntervalMs: c.store.flushIntervalMs,
          windowMaxBytes: c.store.windowMaxBytes,
        },
      )
      imports.start()
      undo.unshift(() => imports.stop())
      this.#startedAt = Date.now()
      let mesh: Mesh | null = null
      if (c.mesh.listen.length > 0) {
        mesh = new Mesh(
          {
            feeds,
            backend,
            privateKey: identity.privateKey,
            peerId: identity.peerId,
            log: log.child({ component: 'mesh' }),
          },
          c.mesh,
        )
      }
      const control = new ControlServer(
        {
          backend,
          status: () => this.status(),
          log: log.child({ component: 'control' }),
          mesh,
          digest: (o) => storeDigest(store, o),
          reload: () => this.reload(),
          imports,
        },
        { socketPath },
      )
      await control.start()
      undo.unshift(() => control.stop())
      const api = createNodeApi(
        {
          store,
          backend,
          localLabel: identity.peerId,
          mesh,
          digest: (o) => storeDigest(store, o),
          status: () => this.status(),
          log: log.child({ component: 'api' }),
        },
        c,
      )
      if (api !== null) {
        await api.start()
        undo.unshift(() => api.stop())
      }
      if (mesh !== null) {
        await mesh.start(opts)
        undo.unshift(() => mesh!.stop())
      }

      let dnstap: DnstapServer | null = null
      if (c.dnstap.listen.length > 0) {
        dnstap = new DnstapServer(
          {
            // a feed without a usable identity is still a resolver, not this node's own capture
            sinkFor: (identityName: string | null) => origins.sinkFor(identityName ?? UNNAMED_DNSTAP_SENSOR),
            log: log.child({ component: 'dnstap' }),
          },
          {
            listen: c.dnstap.listen,
            messageTypes: c.dnstap.messageTypes,
            maxFrameBytes: c.dnstap.maxFrameBytes,
            socketMode: c.dnstap.socketMode,
            socketGroup: c.dnstap.socketGroup,
            clientAddresses: false,
          },
        )
        await dnstap.start(opts)
        undo.unshift(() => dnstap!.stop())
      }

      let capture: LiveCapture | null = null
      let captureOff: string | null = null
      if (c.capture.enabled) {
        capture = new LiveCapture(
          { onFrame: sensor.onFrame, log: log.child({ component: 'capture' }) },
          {
            interfaces: c.capture.interfaces,
            ports: new Set(c.capture.ports),
            snaplen: c.capture.snaplen,
            promiscuous: c.capture.promiscuous,
            bufferBytes: c.capture.bufferBytes,
            filter: c.capture.filter,
          },
        )
        try {
          await capture.start(opts)
          undo.unshift(() => capture!.stop())
        } catch (err) {
          // an interface the operator named must work; the embedded default may lack the permission
          // (not root, no CAP_NET_RAW): the node still serves dnstap and queries, and says why
          if (c.capture.interfacesExplicit || !isPdnsError(err)) throw err
          if (err.code !== 'ERR_CAPTURE_PERMISSION' && err.code !== 'ERR_CAPTURE_UNAVAILABLE') throw err
          capture = null
          captureOff = err.message
          log.warn({ component: 'capture', code: err.code }, `live capture is off: ${err.message}`)
        }
      }
      // after every writer is up: its first pass starts now, a batch per event-loop turn
      expiry.start()
      undo.unshift(() => expiry.stop())
      this.#running = {
        peerId: identity.peerId,
        store,
        window,
        writes,
        origins,
        sensor,
        backend,
        imports,
        control,
        api,
        dnstap,
        capture,
        captureOff,
        feeds,
        localFeed,
        expiry,
        mesh,
      }
      log.info(
        {
          peerId: identity.peerId,
          dataDir: c.dataDir,
          control: socketPath,
          api: api?.addresses ?? null,
          dnstap: c.dnstap.listen,
          capture: capture === null ? null : capture.interfaces,
          mesh: mesh === null ? null : mesh.addresses(),
        },
        'node started',
      )
    } catch (err) {
      for (const u of undo) {
        try {
          await u()
        } catch (e) {
          log.error({ err: e }, 'cleanup after a failed start')
        }
      }
      throw err
    }
  }

  /**
   * An import in progress first (cut short, what it read written), inputs (nothing new arrives), then the sensor's reassembly leftovers, then the window's
   * last flush (fsynced), the control socket, and the store. Each step runs even if one before failed;
   * the first error is thrown at the end.
   */
  async stop(): Promise<void> {
    const r = this.#running
    if (r === null) return
    this.#running = null
    let first: unknown = null
    const step = async (name: string, fn: () => Promise<void> | void) => {
      try {
        await fn()
      } catch (err) {
        this.#log.error({ err, step: name }, `stop: ${name} failed`)
        first ??= err
      }
    }
    // an import is cut short first (no new one starts): what it read is written before the last flush
    await step('import', () => r.imports.stop())
    // what the kernel captured before the stop still reaches the window (a ring block waits up to
    // LIVE_READ_TIMEOUT_MS before it is handed over)
    await step('capture', async () => {
      await r.capture?.drain()
      r.capture?.stop()
    })
    await step('dnstap', () => r.dnstap?.stop())
    await step('sensor', () => r.sensor.flush())
    // peers stop hearing from us before the last flush: its entries reach them at the next sync
    // between two of its batches (each is atomic): the store stays whole
    await step('retention', () => r.expiry.stop())
    await step('mesh', () => r.mesh?.stop())
    await step('window', () => r.window.stop())
    // the last flush's updates are sealed before the store closes
    await step('feed', () => r.localFeed.stop())
    // the API's queries read the store: it stops before the store closes
    await step('api', () => r.api?.stop())
    await step('control', () => r.control.stop())
    await step('store', () => r.store.close())
    this.#log.info({ window: r.window.stats() }, 'node stopped')
    if (first !== null) throw first
  }

  status(): NodeStatus {
    const r = this.#running
    const c = this.#config
    return {
      version: pkg.version,
      pid: process.pid,
      peerId: r?.peerId ?? '',
      startedAt: Math.floor(this.#startedAt / 1000),
      dataDir: c.dataDir,
      components: {
        capture:
          r === null
            ? null
            : r.capture === null
              ? { enabled: false, reason: r.captureOff ?? 'disabled in the configuration' }
              : { enabled: true, interfaces: r.capture.stats() },
        dnstap: r?.dnstap?.stats() ?? null,
        sensor: r?.sensor.stats() ?? null,
        recorders: r?.origins.stats() ?? null,
        window: r?.window.stats() ?? null,
        import: r?.imports.status() ?? null,
        storeWrites: r?.writes.snapshot() ?? null,
        mesh: r?.mesh?.status() ?? null,
        api: r?.api instanceof ApiThreads ? r.api.status() : null,
        feed: r === null ? null : feedStatus(r.feeds, r.peerId),
        retention: r === null ? null : { ...r.expiry.stats(), tooOldFromPeers: r.feeds.tooOld },
        memory: process.memoryUsage(),
      },
    }
  }

  #windowFailed(err: unknown): void {
    this.#log.error({ err }, 'window flush failed; the entries stay in memory and are retried')
    if (isPdnsError(err) && err.code === 'ERR_DB_IO') this.#fatal?.(err)
  }
}

function retentionOf(c: NodeConfig): Retention {
  return { local: c.store.retentionS, remote: c.store.retentionRemoteS }
}

function checkpointRecordsOf(n: number): number | null {
  return n === 0 ? null : n
}

/** The node's own feed and the others it holds (entries and bytes: disk use for other origins' data). */
function feedStatus(feeds: Feeds, self: string) {
  const own = feeds.head(self)
  let entries = 0
  let bytes = 0
  let records = 0
  for (const h of feeds.authors.values()) {
    if (h.author === self) continue
    entries += h.entries
    bytes += h.bytes
    records += h.records
  }
  return {
    own: {
      entries: own?.entries ?? 0,
      seq: own?.seq ?? 0,
      bytes: own?.bytes ?? 0,
      records: own?.records ?? 0,
    },
    remote: { authors: feeds.authors.size - (own === undefined ? 0 : 1), entries, bytes, records },
  }
}
