/**
 * What the mesh knows of each allowlisted peer: connection, last sync, traffic counters, what it
 * holds (its last have-vector), and its score. A protocol violation costs VIOLATION_PENALTY; at
 * BAN_SCORE the peer is cut off and refused by the gater for BAN_MS.
 */
import { BAN_MS, BAN_SCORE, FLOOD_MAX_STREAMS, FLOOD_WINDOW_MS, VIOLATION_PENALTY } from './limits.ts'

export interface PeerInfo {
  peerId: string
  allowed: boolean
  connected: boolean
  /** the peer does not sync (share = "query-only", or it refused the sync protocol) */
  syncs: boolean
  lastSync: number | null
  entriesIn: number
  entriesOut: number
  recordsIn: number
  recordsOut: number
  /** sync frames on the wire (length prefixes included), both directions of every exchange */
  bytesIn: number
  bytesOut: number
  /** sync exchanges (one round trip each) started by this node and answered by it */
  exchangesOut: number
  exchangesIn: number
  score: number
  bannedUntil: number | null
  violations: Record<string, number>
  lastError: string | null
}

export class PeerState {
  readonly info: PeerInfo
  /**
   * What the peer holds, as we believe: its last have-vector (seq per author), raised by what we
   * sent it that it may not have applied yet when it said so (believe()). Never more than that:
   * an entry the peer refused (a gap) or never received (a lost answer) must be sent again.
   */
  readonly have = new Map<string, number>()
  /** the entries our exchange in progress pushes to the peer (null: none running) */
  pushing: ReadonlyMap<string, number> | null = null
  /** the entries our last answer to the peer's pull carried: applied by the time it asks again */
  answered: ReadonlyMap<string, number> = new Map()
  /** whether `have` comes from a have-vector of this peer (false: a new or restarted peer) */
  headsKnown = false
  #streams: number[] = []

  constructor(peerId: string, allowed: boolean) {
    this.info = {
      peerId,
      allowed,
      connected: false,
      syncs: true,
      lastSync: null,
      entriesIn: 0,
      entriesOut: 0,
      recordsIn: 0,
      recordsOut: 0,
      bytesIn: 0,
      bytesOut: 0,
      exchangesOut: 0,
      exchangesIn: 0,
      score: 0,
      bannedUntil: null,
      violations: {},
      lastError: null,
    }
  }

  get banned(): boolean {
    const until = this.info.bannedUntil
    if (until === null) return false
    if (Date.now() < until) return true
    this.info.bannedUntil = null
    this.info.score = 0
    return false
  }

  /** Counts a protocol violation; true when the peer must now be cut off. */
  violation(reason: string, message: string): boolean {
    this.info.violations[reason] = (this.info.violations[reason] ?? 0) + 1
    this.info.lastError = message
    this.info.score -= VIOLATION_PENALTY
    if (this.info.score <= BAN_SCORE) {
      this.info.bannedUntil = Date.now() + BAN_MS
      return true
    }
    return false
  }

  /** An inbound stream opened; false when the peer opens more than FLOOD_MAX_STREAMS per window. */
  openedStream(): boolean {
    const now = Date.now()
    this.#streams = this.#streams.filter((t) => now - t < FLOOD_WINDOW_MS)
    this.#streams.push(now)
    return this.#streams.length <= FLOOD_MAX_STREAMS
  }

  heard(author: string, seq: number): void {
    if ((this.have.get(author) ?? 0) < seq) this.have.set(author, seq)
  }

  /**
   * The peer's word (a have-vector of its own) replaces what we believed, raised by what may still
   * be on its way to it (`inFlight`): an overstated belief would otherwise never be corrected, and
   * what the peer lacks would never be sent (a push refused as a gap while the peer was still
   * applying an earlier answer left a bootstrap stuck for good).
   */
  believe(
    word: readonly { author: string; seq: number }[],
    ...inFlight: (ReadonlyMap<string, number> | null)[]
  ): void {
    this.have.clear()
    for (const h of word) this.heard(h.author, h.seq)
    for (const m of inFlight) if (m !== null) for (const [author, seq] of m) this.heard(author, seq)
  }
}
