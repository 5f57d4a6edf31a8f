/**
 * The mesh of one node: the libp2p host (network.ts), the sync protocol (sync.ts) pushed after every
 * new entry and run as anti-entropy on a timer, the peer query protocol (query-protocol.ts), and the
 * allowlisted peers' state (peers.ts). Configured peers are dialled at start and redialled with
 * backoff. A peer that breaks the protocol is hung up on and banned; local capture never waits on
 * a peer: every exchange is asynchronous and bounded (limits.ts, protocol/limits.ts).
 */
import type { Connection, PeerId, PrivateKey, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import {
  isWireError,
  PROTOCOL_QUERY,
  PROTOCOL_SYNC,
  PUSH_MAX_ENTRIES,
  WireError,
} from '../../protocol/index.ts'
import { PdnsError } from '../errors.ts'
import type { Logger } from '../log/index.ts'
import type { QueryBackend } from '../query/types.ts'
import { Dialler } from './dialler.ts'
import { type MeshAnswer, QueryFanOut } from './fan-out.ts'
import type { Feeds } from './feeds.ts'
import {
  ANTI_ENTROPY_INTERVAL_MS,
  FLOOD_MAX_STREAMS,
  FLOOD_WINDOW_MS,
  PUSH_DELAY_MS,
  PUSH_MIN_INTERVAL_MS,
  QUERY_MAX_INBOUND_STREAMS,
  QUERY_MAX_OUTBOUND_STREAMS,
  QUERY_TIMEOUT_MS,
  SYNC_MAX_INBOUND_STREAMS,
  SYNC_MAX_OUTBOUND_STREAMS,
  SYNC_TIMEOUT_MS,
} from './limits.ts'
import { createNetwork } from './network.ts'
import { type PeerInfo, PeerState } from './peers.ts'
import { answerQuery } from './query-protocol.ts'
import type { MeshQuery } from './query-wire.ts'
import { haveMap, initiateSync, respondSync, type SyncComponents } from './sync.ts'

export type ShareMode = 'all' | 'query-only'

/** lpStream's errors for a frame over its bound or a broken length prefix: protocol violations too. */
const FRAME_ERRORS = new Set([
  'InvalidDataLengthError',
  'InvalidMessageLengthError',
  'InvalidDataLengthLengthError',
])

/** The protocol violation an error is, or null (a timeout, a reset: no fault of the peer proven). */
function violationOf(err: unknown): WireError | null {
  if (isWireError(err)) return err
  const name = (err as Error | undefined)?.name
  if (name !== undefined && FRAME_ERRORS.has(name)) {
    return new WireError('oversized', `a frame over its bound: ${(err as Error).message}`, { cause: err })
  }
  return null
}

export interface MeshConfig {
  listen: readonly string[]
  /** multiaddrs with /p2p/<peer id> */
  peers: readonly string[]
  allow: readonly string[]
  pskFile: string | null
  share: ShareMode
}

export interface MeshComponents {
  feeds: Feeds
  backend: QueryBackend
  privateKey: PrivateKey
  peerId: string
  log: Logger
}

export interface MeshStatus {
  peerId: string
  share: ShareMode
  listen: string[]
  peers: PeerInfo[]
  /** entries and bytes held of other authors' feeds */
  remote: { authors: number; entries: number; bytes: number }
}

export class Mesh {
  readonly #c: MeshComponents
  readonly #config: MeshConfig
  readonly #log: Logger
  readonly #peers = new Map<string, PeerState>()
  readonly #dialler: Dialler
  #net: Libp2p | null = null
  /** the queries' fan-out over the running network (null while stopped) */
  #fanOut: QueryFanOut | null = null
  #stopping = false
  #timers = new Set<NodeJS.Timeout>()
  #antiEntropy: NodeJS.Timeout | null = null
  #unlisten: (() => void) | null = null
  /** per peer: a sync running, one wanted after it, the last start */
  readonly #sync = new Map<
    string,
    { running: boolean; again: boolean; last: number; timer: NodeJS.Timeout | null }
  >()

  constructor(components: MeshComponents, config: MeshConfig) {
    this.#c = components
    this.#config = config
    this.#log = components.log
    for (const id of config.allow) this.#peers.set(id, new PeerState(id, true))
    this.#dialler = new Dialler(
      {
        dial: (addr) => this.#net?.dial(multiaddr(addr)) ?? null,
        allowed: (id) => this.#allowed(id),
        connected: (id) => this.#peer(id).info.connected,
        onDialError: (id, addr, err) => {
          this.#peer(id).info.lastError = err.message
          this.#log.debug({ peer: id, addr, err: err.message }, 'dial failed')
        },
      },
      config.peers,
    )
  }

  /**
   * Replaces the allowlist and the peers to dial (`pdns-mesh reload`): a peer no longer allowed is
   * hung up on at once (and refused by the gater from now on), a new peer is dialled, a peer no
   * longer listed is no longer redialled.
   */
  setMembers(members: { allow: readonly string[]; peers: readonly string[] }): {
    added: string[]
    removed: string[]
  } {
    const allow = new Set(members.allow)
    const added: string[] = []
    const removed: string[] = []
    for (const [id, p] of this.#peers) {
      if (p.info.allowed && !allow.has(id)) {
        p.info.allowed = false
        removed.push(id)
        void this.#net?.hangUp(peerIdFromString(id)).catch(() => {})
      }
    }
    for (const id of allow) {
      const p = this.#peers.get(id)
      if (p === undefined) this.#peers.set(id, new PeerState(id, true))
      else if (!p.info.allowed) p.info.allowed = true
      else continue
      added.push(id)
    }
    this.#dialler.setPeers(members.peers)
    if (added.length + removed.length > 0) this.#log.info({ added, removed }, 'mesh members changed')
    return { added, removed }
  }

  get running(): boolean {
    return this.#net !== null
  }

  #peer(id: string): PeerState {
    let p = this.#peers.get(id)
    if (p === undefined) {
      p = new PeerState(id, false)
      this.#peers.set(id, p)
    }
    return p
  }

  #allowed(id: string): boolean {
    const p = this.#peers.get(id)
    return p?.info.allowed === true && !p.banned
  }

  async start(opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#net !== null) return
    opts.signal?.throwIfAborted()
    const net = await createNetwork({
      privateKey: this.#c.privateKey,
      listen: this.#config.listen,
      allowed: (id) => this.#allowed(id),
      pskFile: this.#config.pskFile,
    })
    if (this.#config.share === 'all') {
      await net.handle(PROTOCOL_SYNC, (stream, conn) => this.#onSyncStream(stream, conn), {
        maxInboundStreams: SYNC_MAX_INBOUND_STREAMS,
        maxOutboundStreams: SYNC_MAX_OUTBOUND_STREAMS,
      })
    }
    await net.handle(PROTOCOL_QUERY, (stream, conn) => this.#onQueryStream(stream, conn), {
      maxInboundStreams: QUERY_MAX_INBOUND_STREAMS,
      maxOutboundStreams: QUERY_MAX_OUTBOUND_STREAMS,
    })
    net.addEventListener('connection:open', (e) => this.#onConnection(e.detail, true))
    net.addEventListener('connection:close', (e) => this.#onConnection(e.detail, false))
    try {
      await net.start()
    } catch (cause) {
      await Promise.resolve(net.stop()).catch(() => {})
      throw new PdnsError('ERR_MESH_LISTEN', `the mesh could not listen: ${(cause as Error).message}`, {
        cause,
      })
    }
    this.#net = net
    this.#fanOut = new QueryFanOut({
      backend: this.#c.backend,
      targets: () =>
        [...this.#peers.values()].filter((p) => p.info.connected && !p.banned).map((p) => p.info.peerId),
      dial: (peerId, signal) => net.dialProtocol(peerIdFromString(peerId), PROTOCOL_QUERY, { signal }),
      onViolation: (peerId, err) => this.#violation(peerId, err),
    })
    this.#stopping = false
    if (this.#config.share === 'all') {
      // a new entry (sealed here or accepted from a peer) goes on to every connected peer
      this.#unlisten = this.#c.feeds.onEntry(() => {
        for (const p of this.#peers.values())
          if (p.info.connected && p.info.syncs) this.#schedule(p.info.peerId, PUSH_DELAY_MS)
      })
      this.#antiEntropy = setInterval(() => {
        for (const p of this.#peers.values())
          if (p.info.connected && p.info.syncs) this.#schedule(p.info.peerId, 0)
      }, ANTI_ENTROPY_INTERVAL_MS)
      this.#antiEntropy.unref()
    }
    this.#dialler.start()
    this.#log.info(
      { listen: this.addresses(), peers: this.#config.peers.length, share: this.#config.share },
      'mesh started',
    )
  }

  async stop(): Promise<void> {
    const net = this.#net
    if (net === null) return
    this.#stopping = true
    this.#unlisten?.()
    this.#unlisten = null
    if (this.#antiEntropy !== null) clearInterval(this.#antiEntropy)
    for (const t of this.#timers) clearTimeout(t)
    this.#timers.clear()
    this.#dialler.stop()
    for (const s of this.#sync.values()) if (s.timer !== null) clearTimeout(s.timer)
    await net.stop()
    this.#net = null
    this.#fanOut = null
  }

  /** The node's listening multiaddrs, each ending in /p2p/<peer id> (what other operators dial). */
  addresses(): string[] {
    return this.#net?.getMultiaddrs().map((m) => m.toString()) ?? []
  }

  status(): MeshStatus {
    let entries = 0
    let bytes = 0
    let authors = 0
    for (const h of this.#c.feeds.authors.values()) {
      if (h.author === this.#c.peerId) continue
      authors++
      entries += h.entries
      bytes += h.bytes
    }
    return {
      peerId: this.#c.peerId,
      share: this.#config.share,
      listen: this.addresses(),
      peers: [...this.#peers.values()].map((p) => ({ ...p.info, banned: p.banned }) as PeerInfo),
      remote: { authors, entries, bytes },
    }
  }

  // ------------------------------------------------------------ connections

  #onConnection(conn: Connection, open: boolean): void {
    const id = conn.remotePeer.toString()
    const p = this.#peer(id)
    const openConns =
      this.#net?.getConnections(conn.remotePeer).filter((c) => c.status === 'open').length ?? 0
    const still = openConns > 0
    p.info.connected = open || still
    if (!p.info.connected) {
      // whatever it held, it may come back restarted: learn its heads before pushing anything
      p.headsKnown = false
      p.have.clear()
      p.answered = new Map()
    }
    if (open) {
      this.#log.info({ peer: id, addr: conn.remoteAddr.toString() }, 'peer connected')
      this.#dialler.connected(id)
      if (this.#config.share === 'all' && p.info.syncs) this.#schedule(id, 0)
    } else if (!p.info.connected) {
      this.#log.info({ peer: id }, 'peer disconnected')
      this.#dialler.disconnected(id)
    }
  }

  /** Protocol violation: count it, hang up, and (at the ban score) refuse the peer for a while. */
  #violation(id: string, err: unknown): void {
    const reason = isWireError(err) ? err.reason : 'stream'
    const message = (err as Error).message
    const banned = this.#peer(id).violation(reason, message)
    this.#log.warn({ peer: id, reason, err: message, banned }, 'peer broke the protocol; cut off')
    void this.#net?.hangUp(peerIdFromString(id)).catch(() => {})
  }

  // ------------------------------------------------------------ sync

  #syncComponents(p: PeerState): SyncComponents {
    return {
      feeds: this.#c.feeds,
      self: this.#c.peerId,
      onFrame: (direction, bytes) => {
        if (direction === 'in') p.info.bytesIn += bytes
        else p.info.bytesOut += bytes
      },
      onAccepted: (r) => {
        p.heard(r.author, r.seq)
        if (r.status === 'applied') {
          p.info.entriesIn++
          p.info.recordsIn += r.records
        }
      },
    }
  }

  #schedule(id: string, delay: number): void {
    if (this.#stopping) return
    let s = this.#sync.get(id)
    if (s === undefined) {
      s = { running: false, again: false, last: 0, timer: null }
      this.#sync.set(id, s)
    }
    if (s.running) {
      s.again = true
      return
    }
    if (s.timer !== null) return
    const wait = Math.max(delay, s.last + PUSH_MIN_INTERVAL_MS - Date.now())
    s.timer = setTimeout(() => {
      s.timer = null
      void this.syncWith(id)
    }, wait)
    s.timer.unref()
  }

  /** One sync exchange with a connected peer (started by push, anti-entropy, or a test). */
  async syncWith(id: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const net = this.#net
    const p = this.#peer(id)
    let s = this.#sync.get(id)
    if (s === undefined) {
      s = { running: false, again: false, last: 0, timer: null }
      this.#sync.set(id, s)
    }
    if (net === null || s.running || !p.info.connected || !p.info.syncs) return
    s.running = true
    s.again = false
    s.last = Date.now()
    const signal = AbortSignal.any([
      AbortSignal.timeout(SYNC_TIMEOUT_MS),
      ...(opts.signal ? [opts.signal] : []),
    ])
    let again = false
    try {
      const stream = await net.dialProtocol(peerIdFromString(id), PROTOCOL_SYNC, { signal })
      const out = await initiateSync(
        { ...this.#syncComponents(p), onPush: (reached) => (p.pushing = reached) },
        stream,
        p.headsKnown ? p.have : null,
        { signal },
      )
      p.pushing = null
      // the answer's have-vector is the peer's word after our push (what it refused as a gap is not
      // in it); our last answer to its own pull may still be on its way
      p.believe(out.theirHave, p.answered)
      p.headsKnown = true
      p.info.entriesOut += out.sent
      p.info.recordsOut += out.recordsSent
      p.info.exchangesOut++
      p.info.lastSync = Math.floor(Date.now() / 1000)
      // they still lack a few entries we hold (a push carries them), or we lag them (pull more);
      // a peer further behind pulls by itself, having seen our heads in the request
      let lag = 0
      for (const [author, seq] of haveMap(this.#c.feeds.heads()))
        lag += Math.max(0, seq - (p.have.get(author) ?? 0))
      if ((lag > 0 && lag <= PUSH_MAX_ENTRIES) || out.behind) again = true
    } catch (err) {
      const v = violationOf(err)
      if (v !== null) this.#violation(id, v)
      else if ((err as Error).name === 'UnsupportedProtocolError') {
        // a query-only peer: it answers questions but takes and gives no records
        p.info.syncs = false
        this.#log.info({ peer: id }, 'peer does not sync (share = "query-only"); queries only')
      } else if (!this.#stopping) {
        p.info.lastError = (err as Error).message
        this.#log.debug({ peer: id, err: (err as Error).message }, 'sync failed')
      }
    } finally {
      s.running = false
      p.pushing = null
    }
    if ((again || s.again) && !this.#stopping) this.#schedule(id, 0)
  }

  /** An inbound stream of a peer, or null when it opens too many (a flood: cut off and banned). */
  #admit(id: string, stream: Stream): PeerState | null {
    const p = this.#peer(id)
    if (p.openedStream()) return p
    this.#violation(
      id,
      new WireError('flood', `more than ${FLOOD_MAX_STREAMS} streams in ${FLOOD_WINDOW_MS} ms`),
    )
    stream.abort(new Error('flood'))
    return null
  }

  async #onSyncStream(stream: Stream, conn: Connection): Promise<void> {
    const id = conn.remotePeer.toString()
    const p = this.#admit(id, stream)
    if (p === null) return
    try {
      // the request's have-vector is the peer's word: it asks only once it has applied our last
      // answer, so only a push of ours in progress may be on its way to it
      const known = new Map(p.pushing ?? [])
      const out = await respondSync(this.#syncComponents(p), stream, known, {
        signal: AbortSignal.timeout(SYNC_TIMEOUT_MS),
      })
      p.answered = out.reached
      p.believe(out.theirHave, known)
      p.headsKnown = true
      p.info.entriesOut += out.sent
      p.info.recordsOut += out.recordsSent
      p.info.exchangesIn++
      p.info.lastSync = Math.floor(Date.now() / 1000)
      // the initiator holds what we lack and did not push it (its view of us was stale): pull
      const ours = haveMap(this.#c.feeds.heads())
      if (out.behind || out.theirHave.some((h) => (ours.get(h.author) ?? 0) < h.seq)) this.#schedule(id, 0)
    } catch (err) {
      const v = violationOf(err)
      if (v !== null) this.#violation(id, v)
      else this.#log.debug({ peer: id, err: (err as Error).message }, 'inbound sync failed')
      stream.abort(err as Error)
    }
  }

  // ------------------------------------------------------------ queries

  async #onQueryStream(stream: Stream, conn: Connection): Promise<void> {
    const id = conn.remotePeer.toString()
    const p = this.#admit(id, stream)
    if (p === null) return
    try {
      await answerQuery(this.#c.backend, stream, { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) })
    } catch (err) {
      const v = violationOf(err)
      if (v !== null) this.#violation(id, v)
      stream.abort(err as Error)
    }
  }

  /**
   * The query on this node's store and on every connected peer, merged record by record
   * (`fan-out.ts`). Each peer gets `timeoutMs`; one that fails or times out is reported.
   */
  async query(q: MeshQuery, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<MeshAnswer> {
    if (this.#fanOut === null)
      throw new PdnsError('ERR_MESH_OFF', 'the mesh is off on this node (mesh.listen is empty)')
    return this.#fanOut.query(q, opts)
  }
}

export type { MeshAnswer, PeerAnswerStatus } from './fan-out.ts'
export type { PeerId }
