/**
 * Flows both FINs closed, remembered until TCP_FLOW_IDLE_TIMEOUT_US (at most
 * MAX_TCP_CLOSED_FLOWS, oldest forgotten first), so that a retransmission arriving after the
 * close is recognised as late instead of opening a new flow and delivering its message again.
 */

import { MAX_TCP_CLOSED_FLOWS, TCP_FLOW_IDLE_TIMEOUT_US, TCP_REORDER_WINDOW_BYTES } from '../limits.ts'
import type { Counters } from '../types.ts'
import { type Direction, seqDiff, TCP_SYN } from './tcp-flow.ts'

/**
 * What is kept of a flow after both FINs: per direction, where its stream ended and its SYN's
 * sequence number (-1 when it never synced, or no SYN was seen: nothing can be said about such a
 * direction's late segments).
 */
class ClosedFlow {
  readonly closedTs: number
  readonly next0: number
  readonly next1: number
  readonly isn0: number
  readonly isn1: number

  constructor(closedTs: number, a: Direction, b: Direction) {
    this.closedTs = closedTs
    this.next0 = a.synced ? a.next : -1
    this.next1 = b.synced ? b.next : -1
    this.isn0 = a.sawSyn ? a.isn : -1
    this.isn1 = b.sawSyn ? b.isn : -1
  }
}

export class ClosedFlows {
  /** oldest first (insertion order), which is also expiry order */
  readonly #byKey = new Map<string, ClosedFlow>()
  readonly #anomalies: Counters

  constructor(anomalies: Counters) {
    this.#anomalies = anomalies
  }

  get size(): number {
    return this.#byKey.size
  }

  remember(key: string, closedTs: number, a: Direction, b: Direction): void {
    if (this.#byKey.size >= MAX_TCP_CLOSED_FLOWS) this.#byKey.delete(this.#byKey.keys().next().value!)
    this.#byKey.set(key, new ClosedFlow(closedTs, a, b))
  }

  /**
   * A segment with no live flow: is it late, from a flow both FINs closed? Data starting at most
   * TCP_REORDER_WINDOW_BYTES before the closed stream's end in its direction is, and so is a SYN
   * repeating that direction's ISN: both are retransmissions, dropped (data counted as
   * 'tcp.late_after_close'). Any other SYN, or data past that end, is a new connection on the
   * same ports: the closed flow is forgotten.
   */
  isLate(key: string, dir: number, seq: number, flags: number): boolean {
    const c = this.#byKey.get(key)
    if (c === undefined) return false
    if ((flags & TCP_SYN) !== 0) {
      if (seq === (dir === 0 ? c.isn0 : c.isn1)) return true
    } else {
      const next = dir === 0 ? c.next0 : c.next1
      // Only just before the old stream's end is data a retransmission; further back it is a new
      // connection whose SYN the capture missed, and holding it back would lose it silently.
      const behind = next === -1 ? 0 : seqDiff(next, seq)
      if (behind > 0 && behind <= TCP_REORDER_WINDOW_BYTES) {
        this.#anomalies.inc('tcp.late_after_close')
        return true
      }
    }
    this.#byKey.delete(key)
    return false
  }

  /** Forgets flows closed longer than TCP_FLOW_IDLE_TIMEOUT_US before capture time `ts`. */
  expire(ts: number): void {
    for (const [key, c] of this.#byKey) {
      if (ts - c.closedTs <= TCP_FLOW_IDLE_TIMEOUT_US) break
      this.#byKey.delete(key)
    }
  }

  clear(): void {
    this.#byKey.clear()
  }
}
