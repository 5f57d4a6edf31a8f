/**
 * DNS over TCP (RFC 1035 §4.2.2, RFC 7766): each direction of a flow is a byte stream of
 * messages, each preceded by a 2-byte big-endian length. This rebuilds those streams from
 * captured segments: retransmissions are dropped, out-of-order segments wait within a window,
 * sequence numbers wrap modulo 2^32, and a capture that starts mid-connection syncs on the
 * first segment that looks like the start of a message. A hole the peer has acknowledged was lost
 * by the capture, not the network, so no retransmission will fill it: the stream skips it at once.
 * Messages contained in one segment are handed out straight from the frame buffer; only partial
 * messages and early segments are copied. A flow closed by both FINs is remembered for a while,
 * so that a late retransmission is dropped rather than taken for a new stream (tcp-closed-flows.ts).
 * Per-flow state lives in tcp-flow.ts.
 */
import {
  MAX_TCP_BUFFERED_BYTES,
  MAX_TCP_BUFFERED_BYTES_PER_FLOW,
  MAX_TCP_FLOWS,
  TCP_FLOW_IDLE_TIMEOUT_US,
  TCP_REORDER_WINDOW_BYTES,
} from '../limits.ts'
import type { Counters } from '../types.ts'
import { addrKey } from './addr-key.ts'
import { ClosedFlows } from './tcp-closed-flows.ts'
import {
  type Direction,
  Flow,
  IDLE_SCAN_INTERVAL_US,
  KEEP_BUFFER_BYTES,
  looksLikeMessageStart,
  MIN_PARTIAL_BYTES,
  SEGMENT_OVERHEAD_BYTES,
  seqDiff,
  TCP_ACK,
  TCP_FIN,
  TCP_RST,
  TCP_SYN,
} from './tcp-flow.ts'

/** A complete DNS message out of a TCP stream; see TcpReassembler's constructor for `reversed`. */
export type TcpMessageSink = (buf: Uint8Array, off: number, len: number, reversed: boolean) => void

export class TcpReassembler {
  readonly #flows = new Map<string, Flow>()
  /** flows closed by both FINs, oldest first, until TCP_FLOW_IDLE_TIMEOUT_US after their close */
  readonly #closed: ClosedFlows
  readonly #anomalies: Counters
  readonly #emit: TcpMessageSink
  #bytes = 0
  #nextIdleScan = 0
  /** true while delivering the peer direction's messages (an ACK revealed a capture hole in it) */
  #reversed = false

  /**
   * `emit` receives every complete message; the caller has set up PacketInfo for the current
   * segment, and `reversed` says the message travelled the other way (swap its endpoints).
   */
  constructor(anomalies: Counters, emit: TcpMessageSink) {
    this.#anomalies = anomalies
    this.#emit = emit
    this.#closed = new ClosedFlows(anomalies)
  }

  get flowCount(): number {
    return this.#flows.size
  }

  /** Closed flows still remembered (see MAX_TCP_CLOSED_FLOWS). */
  get closedFlowCount(): number {
    return this.#closed.size
  }

  /** Bytes buffered across all flows. */
  get bufferedBytes(): number {
    return this.#bytes
  }

  /**
   * One segment: addresses are addrBuf[srcOff, +alen) and the following alen bytes; payload is
   * buf[p, end).
   */
  segment(
    addrBuf: Uint8Array,
    srcOff: number,
    alen: number,
    sport: number,
    dport: number,
    seq: number,
    ack: number,
    flags: number,
    buf: Uint8Array,
    p: number,
    end: number,
    ts: number,
  ): void {
    if (ts >= this.#nextIdleScan) this.#evictIdle(ts)
    // Both directions share one key: the lower endpoint first.
    let cmp = 0
    const dstOff = srcOff + alen
    for (let i = 0; i < alen && cmp === 0; i++) cmp = addrBuf[srcOff + i]! - addrBuf[dstOff + i]!
    if (cmp === 0) cmp = sport - dport
    const dir = cmp <= 0 ? 0 : 1
    const key =
      String.fromCharCode(dir === 0 ? sport : dport, dir === 0 ? dport : sport) +
      addrKey(addrBuf, dir === 0 ? srcOff : dstOff, alen) +
      addrKey(addrBuf, dir === 0 ? dstOff : srcOff, alen)

    let flow = this.#flows.get(key)
    if (flow === undefined) {
      // Nothing to learn from a reset or a bare ACK/FIN of a flow we never saw.
      if ((flags & TCP_RST) !== 0 || (end === p && (flags & TCP_SYN) === 0)) return
      if (this.#closed.size > 0 && this.#closed.isLate(key, dir, seq, flags)) return
      if (this.#flows.size >= MAX_TCP_FLOWS) this.#evictOldest()
      flow = new Flow(key, ts)
    } else {
      // Re-inserting keeps the map in least-recently-active order for idle and limit eviction.
      this.#flows.delete(key)
    }
    this.#flows.set(key, flow)
    flow.lastTs = ts
    const d = flow.dirs[dir]

    if ((flags & TCP_RST) !== 0) {
      this.#close(flow)
      return
    }
    const peer = flow.dirs[dir ^ 1]!
    if ((flags & TCP_ACK) !== 0 && peer.ooo.length > 0 && seqDiff(ack, peer.ooo[0]!.seq) >= 0) {
      // what this releases travelled the other way: the sink must not take this segment's endpoints
      this.#reversed = true
      try {
        this.#skipHole(flow, peer)
      } finally {
        this.#reversed = false
      }
      // releasing the peer's data may have finished the flow (both FINs): it is gone, and what
      // this segment still carries must not be charged to a flow nobody tracks any more
      if (this.#flows.get(key) !== flow) return
    }
    if ((flags & TCP_SYN) !== 0) {
      if (!d.sawSyn || d.isn !== seq) {
        this.#clear(d)
        d.sawSyn = true
        d.isn = seq
        d.synced = true
        d.next = (seq + 1) >>> 0
        d.fin = false
      }
      seq = (seq + 1) >>> 0 // SYN occupies one sequence number; data (TCP Fast Open) follows it
    }
    if (end > p) this.#data(flow, d, seq, buf, p, end)
    if ((flags & TCP_FIN) !== 0) d.fin = true
    if (d.fin && d.ooo.length === 0) this.#finish(flow, d)
  }

  /** End of input: counts what is left half-delivered, forgets every flow. */
  flush(): void {
    for (const f of this.#flows.values()) this.#close(f)
    this.#flows.clear()
    this.#closed.clear()
    this.#bytes = 0
  }

  #data(flow: Flow, d: Direction, seq: number, buf: Uint8Array, p: number, end: number): void {
    if (!d.synced) {
      if (!looksLikeMessageStart(buf, p, end)) {
        this.#anomalies.inc('tcp.unsynced_data')
        return
      }
      d.synced = true
      d.next = seq
    }
    let diff = seqDiff(seq, d.next)
    if (diff < 0) {
      if (diff + (end - p) <= 0) return // retransmission of bytes already delivered
      p -= diff
      diff = 0
    }
    if (diff > 0) {
      this.#stash(flow, d, diff, seq, buf, p, end)
      return
    }
    this.#inOrder(flow, d, buf, p, end)
    // Early segments that now touch the stream follow it.
    while (d.ooo.length > 0) {
      const s = d.ooo[0]!
      const sd = seqDiff(s.seq, d.next)
      if (sd > 0) break
      d.ooo.shift()
      d.oooBytes -= s.data.length + SEGMENT_OVERHEAD_BYTES
      this.#bytes -= s.data.length + SEGMENT_OVERHEAD_BYTES
      if (-sd < s.data.length) this.#inOrder(flow, d, s.data, -sd, s.data.length)
    }
  }

  /** The bytes before the first early segment were acknowledged but never captured: move past them. */
  #skipHole(flow: Flow, d: Direction): void {
    this.#anomalies.inc('tcp.gap')
    const early = d.ooo
    this.#bytes -= d.oooBytes
    d.ooo = []
    d.oooBytes = 0
    this.#clear(d)
    d.synced = false
    for (const s of early) this.#data(flow, d, s.seq, s.data, 0, s.data.length)
    if (d.fin && d.ooo.length === 0) this.#finish(flow, d)
  }

  #stash(flow: Flow, d: Direction, diff: number, seq: number, buf: Uint8Array, p: number, end: number): void {
    const n = end - p
    if (diff + n > TCP_REORDER_WINDOW_BYTES) {
      // The hole before this segment is not going to be filled: start over from here.
      this.#anomalies.inc('tcp.gap')
      this.#clear(d)
      d.synced = false
      this.#data(flow, d, seq, buf, p, end)
      return
    }
    const cost = n + SEGMENT_OVERHEAD_BYTES
    if (flow.bytes + cost > MAX_TCP_BUFFERED_BYTES_PER_FLOW) {
      this.#anomalies.inc('tcp.buffer_limit')
      this.#clear(d)
      d.synced = false
      return
    }
    // binary search: the first segment not before `seq` (all lie within the window past `next`)
    const ooo = d.ooo
    let lo = 0
    let hi = ooo.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (seqDiff(ooo[mid]!.seq, seq) < 0) lo = mid + 1
      else hi = mid
    }
    const same = ooo[lo]
    if (same !== undefined && same.seq === seq && same.data.length >= n) return // duplicate
    ooo.splice(lo, 0, { seq, data: buf.slice(p, end) })
    d.oooBytes += cost
    this.#bytes += cost
    if (this.#bytes > MAX_TCP_BUFFERED_BYTES) this.#shrinkTotal(flow)
  }

  /** Consumes buf[p, end), which starts exactly at d.next. */
  #inOrder(flow: Flow, d: Direction, buf: Uint8Array, p: number, end: number): void {
    d.next = (d.next + (end - p)) >>> 0
    // First complete a message already begun in an earlier segment, copying only its bytes.
    while (d.len > 0 && p < end) {
      if (d.len < 2) {
        // the buffer already holds the first byte, so it has room for the second
        d.buf![d.len++] = buf[p++]!
        continue
      }
      const b = d.buf!
      const mlen = (b[0]! << 8) | b[1]!
      const want = 2 + mlen - d.len
      const take = Math.min(want, end - p)
      if (!this.#reserve(flow, d, d.len + take, 2 + mlen)) {
        this.#overflow(d)
        return
      }
      d.buf!.set(buf.subarray(p, p + take), d.len)
      d.len += take
      p += take
      if (take === want) {
        d.len = 0
        if (mlen === 0) this.#anomalies.inc('tcp.bad_length_prefix')
        else this.#emit(d.buf!, 2, mlen, this.#reversed)
        if (d.held > KEEP_BUFFER_BYTES) this.#release(d)
      }
    }
    // Then every message wholly inside the segment, in place.
    while (end - p >= 2) {
      const mlen = (buf[p]! << 8) | buf[p + 1]!
      if (end - p - 2 < mlen) break
      if (mlen === 0) this.#anomalies.inc('tcp.bad_length_prefix')
      else this.#emit(buf, p + 2, mlen, this.#reversed)
      p += 2 + mlen
    }
    if (p < end) {
      // d.len is 0 here: the rest starts a message (n < 2 + its length, or n === 1)
      const n = end - p
      if (!this.#reserve(flow, d, n, n >= 2 ? 2 + ((buf[p]! << 8) | buf[p + 1]!) : 2)) {
        this.#overflow(d)
        return
      }
      d.buf!.set(buf.subarray(p, end), 0)
      d.len = n
    }
  }

  /**
   * Makes d.buf hold at least `size` bytes, growing it geometrically but never past `max` (the
   * whole message), so a length prefix announcing 65535 bytes costs only what actually arrived.
   * The growth is charged to the flow and the total; false (nothing changed) when the flow's
   * budget would be exceeded.
   */
  #reserve(flow: Flow, d: Direction, size: number, max: number): boolean {
    const b = d.buf
    const cap = b === null ? 0 : b.length
    if (cap >= size) return true
    const grown = Math.min(max, Math.max(size, cap * 2, MIN_PARTIAL_BYTES))
    if (flow.bytes - cap + grown > MAX_TCP_BUFFERED_BYTES_PER_FLOW) return false
    const nb = new Uint8Array(grown)
    if (b !== null && d.len > 0) nb.set(b.subarray(0, d.len))
    d.buf = nb
    this.#bytes += grown - cap
    if (this.#bytes > MAX_TCP_BUFFERED_BYTES) this.#shrinkTotal(flow)
    return true
  }

  /** The flow's budget is exhausted: drop this direction's buffers and resync. */
  #overflow(d: Direction): void {
    this.#anomalies.inc('tcp.buffer_limit')
    this.#clear(d)
    d.synced = false
  }

  /** Frees the partial-message buffer (its message is out or lost). */
  #release(d: Direction): void {
    this.#bytes -= d.held
    d.buf = null
  }

  /** Drops a direction's buffers (keeping its sequence state), counting a message lost with them. */
  #clear(d: Direction): void {
    if (d.len > 0 || d.ooo.length > 0) this.#anomalies.inc('tcp.incomplete_message')
    this.#release(d)
    this.#bytes -= d.oooBytes
    d.len = 0
    d.ooo = []
    d.oooBytes = 0
  }

  /**
   * After FIN: nothing more will come, so a partial message is lost; retransmissions stay ignored,
   * after both FINs too, through the closed flow's stream ends remembered in #closed.
   */
  #finish(flow: Flow, d: Direction): void {
    this.#clear(d)
    const [a, b] = flow.dirs
    if (a.fin && b.fin && a.ooo.length === 0 && b.ooo.length === 0) {
      this.#flows.delete(flow.key)
      this.#closed.remember(flow.key, flow.lastTs, a, b)
    }
  }

  #close(flow: Flow): void {
    this.#clear(flow.dirs[0])
    this.#clear(flow.dirs[1])
    this.#flows.delete(flow.key)
  }

  #evictOldest(): void {
    const f = this.#flows.values().next().value
    if (f === undefined) return
    this.#anomalies.inc('tcp.flow_evicted')
    this.#close(f)
  }

  #shrinkTotal(keep: Flow): void {
    for (const f of this.#flows.values()) {
      if (this.#bytes <= MAX_TCP_BUFFERED_BYTES) return
      if (f === keep) continue
      this.#anomalies.inc('tcp.flow_evicted')
      this.#close(f)
    }
  }

  #evictIdle(ts: number): void {
    this.#nextIdleScan = ts + IDLE_SCAN_INTERVAL_US
    for (const f of this.#flows.values()) {
      if (ts - f.lastTs <= TCP_FLOW_IDLE_TIMEOUT_US) break
      this.#close(f)
    }
    this.#closed.expire(ts)
  }
}
