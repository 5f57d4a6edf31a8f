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
  /** the peer's heads as of its last have-vector (seq per author), plus what we sent it since */
  readonly have = new Map<string, number>()
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
}
