/**
 * IPv4 and IPv6 fragment reassembly. IPv4 datagrams are keyed by (src, dst, id, protocol) as in
 * RFC 791; IPv6 ones by (src, dst, id) only, because RFC 8200 §4.5 lets the fragments of one
 * packet carry different Next Header values and says only the offset-0 fragment's counts. This is
 * the rare path, so it copies freely; it is bounded in groups, bytes and capture time. Overlaps
 * resolve deterministically: bytes already received win, and every overlap is counted.
 */
import { FRAGMENT_TIMEOUT_US, MAX_FRAGMENT_BYTES, MAX_FRAGMENT_GROUPS } from '../limits.ts'
import type { Counters } from '../types.ts'
import { addrKey } from './addr-key.ts'

/** Largest reassembled payload: the 16-bit IP length field (fragment offset + length past it is bogus). */
const MAX_DATAGRAM_PAYLOAD = 65535
/**
 * What a stored piece costs beyond its bytes (piece object, typed array, array slot), charged
 * against MAX_FRAGMENT_BYTES so that tiny fragments cannot hold far more memory than counted.
 */
const PIECE_OVERHEAD_BYTES = 256

interface Piece {
  start: number
  end: number
  data: Uint8Array
}

export class FragmentGroup {
  readonly key: string
  readonly firstTs: number
  /**
   * protocol (v4), or the next header after the offset-0 fragment's fragment header (v6; -1
   * until that fragment arrived, which it has once the group is complete)
   */
  proto: number
  /** copy of source then destination address, so PacketInfo can point at it */
  readonly addr: Uint8Array
  /** disjoint (the first bytes received win), sorted by start */
  readonly pieces: Piece[] = []
  /** payload length, known once the last fragment (MF=0) arrived */
  totalLen = -1
  /** bytes held within [0, totalLen) once totalLen is known: complete when it reaches totalLen */
  inside = 0
  /** charged cost: piece bytes plus PIECE_OVERHEAD_BYTES per piece */
  bytes = 0
  /** the reassembled payload, set when complete */
  data: Uint8Array | null = null

  constructor(key: string, firstTs: number, proto: number, addr: Uint8Array) {
    this.key = key
    this.firstTs = firstTs
    this.proto = proto
    this.addr = addr
  }
}

export class FragmentReassembler {
  readonly #groups = new Map<string, FragmentGroup>()
  readonly #anomalies: Counters
  #bytes = 0

  constructor(anomalies: Counters) {
    this.#anomalies = anomalies
  }

  /** Groups waiting for more fragments. */
  get pending(): number {
    return this.#groups.size
  }

  /**
   * Adds one fragment (payload buf[p, end) at byte `offset` of the datagram payload; `proto` is
   * the IPv4 protocol or the IPv6 fragment header's Next Header). Returns the group with `data`
   * set when this fragment completed it, else null.
   */
  add(
    ipVersion: 4 | 6,
    addrBuf: Uint8Array,
    srcOff: number,
    id: number,
    proto: number,
    offset: number,
    more: boolean,
    buf: Uint8Array,
    p: number,
    end: number,
    ts: number,
  ): FragmentGroup | null {
    this.#expire(ts)
    const v4 = ipVersion === 4
    const alen = v4 ? 4 : 16
    const key =
      (v4 ? `4:${id}:${proto}:` : `6:${id}:`) +
      addrKey(addrBuf, srcOff, alen) +
      addrKey(addrBuf, srcOff + alen, alen)
    const n = end - p
    let g = this.#groups.get(key)
    if (offset + n > MAX_DATAGRAM_PAYLOAD) {
      this.#anomalies.inc('frag.too_big')
      if (g !== undefined) this.#drop(g)
      return null
    }
    if (g === undefined) {
      while (
        this.#groups.size > 0 &&
        (this.#groups.size >= MAX_FRAGMENT_GROUPS || this.#bytes + n > MAX_FRAGMENT_BYTES)
      ) {
        this.#drop(this.#groups.values().next().value!)
        this.#anomalies.inc('frag.too_many')
      }
      g = new FragmentGroup(
        key,
        ts,
        v4 || offset === 0 ? proto : -1,
        addrBuf.slice(srcOff, srcOff + 2 * alen),
      )
      this.#groups.set(key, g)
    } else if (this.#bytes + n > MAX_FRAGMENT_BYTES) {
      this.#anomalies.inc('frag.too_many')
      this.#drop(g)
      return null
    }
    // v6: the first offset-0 fragment names the protocol, as its bytes win over later copies
    if (g.proto === -1 && offset === 0) g.proto = proto
    if (!more) {
      if (g.totalLen === -1) {
        g.totalLen = offset + n
        for (const pc of g.pieces) g.inside += Math.max(0, Math.min(pc.end, g.totalLen) - pc.start)
      } else if (g.totalLen !== offset + n) this.#anomalies.inc('frag.overlap')
    }
    this.#insert(g, offset, buf, p, end)
    if (this.#bytes > MAX_FRAGMENT_BYTES) {
      // the new pieces' overhead went past the budget: older groups go first, then this one
      for (const old of this.#groups.values()) {
        if (this.#bytes <= MAX_FRAGMENT_BYTES) break
        this.#drop(old)
        this.#anomalies.inc('frag.too_many')
      }
      if (!this.#groups.has(g.key)) return null
    }
    return this.#complete(g)
  }

  /** Drops everything pending; returns how many groups were incomplete. */
  flush(): number {
    const n = this.#groups.size
    this.#groups.clear()
    this.#bytes = 0
    return n
  }

  #insert(g: FragmentGroup, offset: number, buf: Uint8Array, p: number, end: number): void {
    const s = offset
    const e = offset + (end - p)
    const pieces = g.pieces
    let cur = s
    let overlapped = false
    // binary search: the first piece ending after s
    let i = 0
    let hi = pieces.length
    while (i < hi) {
      const mid = (i + hi) >>> 1
      if (pieces[mid]!.end <= s) i = mid + 1
      else hi = mid
    }
    // Walk the sorted pieces, keeping only the parts of [s, e) nobody covered before (first wins).
    for (; i < pieces.length && cur < e; i++) {
      const pc = pieces[i]!
      if (pc.end <= cur) continue
      if (pc.start >= e) break
      overlapped = true
      if (pc.start > cur) this.#put(g, i++, cur, pc.start, buf, p - s)
      cur = Math.max(cur, pc.end)
    }
    if (cur < e) {
      // insert in order after the pieces that start before `cur`
      let j = i
      while (j < pieces.length && pieces[j]!.start < cur) j++
      this.#put(g, j, cur, e, buf, p - s)
    }
    if (overlapped) this.#anomalies.inc('frag.overlap')
  }

  #put(g: FragmentGroup, at: number, start: number, end: number, buf: Uint8Array, base: number): void {
    g.pieces.splice(at, 0, { start, end, data: buf.slice(base + start, base + end) })
    const cost = end - start + PIECE_OVERHEAD_BYTES
    g.bytes += cost
    this.#bytes += cost
    if (g.totalLen >= 0) g.inside += Math.max(0, Math.min(end, g.totalLen) - start)
  }

  #complete(g: FragmentGroup): FragmentGroup | null {
    // pieces are disjoint, so holding every byte of [0, totalLen) means complete
    if (g.totalLen < 0 || g.inside < g.totalLen) return null
    const data = new Uint8Array(g.totalLen)
    for (const pc of g.pieces) {
      if (pc.start >= g.totalLen) break
      data.set(pc.data.subarray(0, Math.min(pc.data.length, g.totalLen - pc.start)), pc.start)
    }
    this.#drop(g)
    g.data = data
    return g
  }

  #drop(g: FragmentGroup): void {
    this.#groups.delete(g.key)
    this.#bytes -= g.bytes
  }

  #expire(ts: number): void {
    // Map order is arrival order, so the oldest groups come first.
    for (const g of this.#groups.values()) {
      if (ts - g.firstTs <= FRAGMENT_TIMEOUT_US) break
      this.#drop(g)
      this.#anomalies.inc('frag.timeout')
    }
  }
}
