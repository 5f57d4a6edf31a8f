/**
 * Wire-format domain names → presentation form: ASCII lower-cased, no trailing dot, root '.', master-file
 * escapes (`\.` etc. inside labels, `\DDD` outside 0x21–0x7E).
 *
 * One NameReader serves one parser. Names are decoded into a reused byte scratch and turned into a
 * string with one native latin1 slice. Results are cached per message by wire offset: compression
 * pointers aim at the same few offsets (the question name at 12 above all), so most owner names cost
 * an array lookup. The cache is invalidated by bumping a generation number, not by clearing it.
 */
import type { Counters } from '../capture/types.ts'
import { ESCAPE_CHAR, ESCAPE_DECIMAL, writeEscape } from './escape.ts'
import { MAX_MESSAGE_LENGTH, MAX_NAME_WIRE_LENGTH, MAX_POINTER_HOPS } from './limits.ts'

/**
 * How each octet is written inside a label: 0 as is (lower-cased), ESCAPE_CHAR (`\.`), ESCAPE_DECIMAL (`\DDD`).
 * Exported so the store renders names from its keys exactly as the parser renders them from the wire.
 */
export const CHAR_CLASS = new Uint8Array(256)
const LOWER = new Uint8Array(256)
for (let c = 0; c < 256; c++) {
  LOWER[c] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c
  CHAR_CLASS[c] = c < 0x21 || c > 0x7e ? ESCAPE_DECIMAL : 0
}
for (const ch of '.\\";()@$') CHAR_CLASS[ch.charCodeAt(0)] = ESCAPE_CHAR

// Buffer#latin1Slice is the fastest bytes→string path in Node (no TextDecoder call overhead); it is
// public at runtime but missing from @types/node.
type Latin1Slice = (this: Uint8Array, start: number, end: number) => string
export const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: Latin1Slice }).latin1Slice

/** Presentation length bound: every wire octet can become 4 characters (\DDD). */
const SCRATCH_SIZE = MAX_NAME_WIRE_LENGTH * 4 + 8

export class NameReader {
  /** message bytes and bounds, set by reset() */
  buf: Uint8Array = new Uint8Array(0)
  msgStart = 0
  msgEnd = 0
  /** after a successful read: offset just past the name's in-place octets */
  next = 0

  readonly #anomalies: Counters
  readonly #scratch: Buffer = Buffer.allocUnsafeSlow(SCRATCH_SIZE)
  #gen = 1
  readonly #stamp = new Int32Array(MAX_MESSAGE_LENGTH + 1)
  readonly #cached: string[] = new Array<string>(MAX_MESSAGE_LENGTH + 1).fill('')
  readonly #cachedNext = new Int32Array(MAX_MESSAGE_LENGTH + 1)
  readonly #cachedWire = new Uint16Array(MAX_MESSAGE_LENGTH + 1)
  /** wire length of the last result, for the 255-octet check across pointers */
  #wire = 0
  /** set when the current top-level read met a non-backward pointer */
  #forward = false

  constructor(anomalies: Counters) {
    this.#anomalies = anomalies
  }

  /** Start a new message: earlier cache entries become invisible. */
  reset(buf: Uint8Array, msgStart: number, msgEnd: number): void {
    this.buf = buf
    this.msgStart = msgStart
    this.msgEnd = msgEnd
    this.#gen = (this.#gen + 1) | 0
    if (this.#gen === 0) {
      this.#stamp.fill(0)
      this.#gen = 1
    }
  }

  /**
   * Decode the name at off whose in-place octets must end by limit (the message end, or the end of
   * the RDATA holding it). Returns null (anomaly counted) when the name is unusable; then the caller
   * cannot know where the name ends.
   */
  read(off: number, limit: number): string | null {
    this.#forward = false
    const s = this.#read(off, limit, 0, 0)
    if (this.#forward) this.#anomalies.inc('name.forward_pointer')
    return s
  }

  /** Skip the name at off without decoding it (questions after the first). Returns the next offset or -1. */
  skip(off: number, limit: number): number {
    const buf = this.buf
    let p = off
    while (p < limit) {
      const b = buf[p]!
      if (b === 0) return p + 1
      if (b < 64) p += 1 + b
      else if (b >= 0xc0) return p + 2 <= limit ? p + 2 : -1
      else return -1
    }
    return -1
  }

  /**
   * `above`: wire octets of the labels already read on the way here (the pointers' owners). They
   * count against the 255-octet limit as the walk goes, so a name that can only end too long (a
   * pointer loop through long labels) is rejected after at most 255 label octets, not after
   * MAX_POINTER_HOPS times that.
   */
  #read(off: number, limit: number, hops: number, above: number): string | null {
    const rel = off - this.msgStart
    if (off >= limit || rel < 0) {
      this.#anomalies.inc('name.out_of_bounds')
      return null
    }
    if (this.#stamp[rel] === this.#gen) {
      const nx = this.#cachedNext[rel]!
      // a name cached from a wider context may overrun a narrower one (RDATA); decode afresh to fail
      if (nx <= limit) {
        this.next = nx
        this.#wire = this.#cachedWire[rel]!
        return this.#cached[rel]!
      }
    }
    return this.#decode(off, limit, hops, above)
  }

  #store(rel: number, result: string, next: number, wire: number): string {
    this.#stamp[rel] = this.#gen
    this.#cached[rel] = result
    this.#cachedNext[rel] = next
    this.#cachedWire[rel] = wire
    this.next = next
    this.#wire = wire
    return result
  }

  #decode(off: number, limit: number, hops: number, above: number): string | null {
    const rel = off - this.msgStart
    const buf = this.buf
    const s = this.#scratch
    let p = off
    let n = 0
    let wire = 0
    let result: string
    for (;;) {
      if (p >= limit) {
        this.#anomalies.inc('name.out_of_bounds')
        return null
      }
      const b = buf[p]!
      if (b === 0) {
        p++
        wire++
        result = n === 0 ? '.' : latin1Slice.call(s, 0, n)
        break
      }
      if (b < 64) {
        const labEnd = p + 1 + b
        wire += b + 1
        if (labEnd >= limit) {
          this.#anomalies.inc('name.out_of_bounds')
          return null
        }
        if (above + wire >= MAX_NAME_WIRE_LENGTH) {
          this.#anomalies.inc('name.too_long')
          return null
        }
        if (n !== 0) s[n++] = 0x2e
        for (let i = p + 1; i < labEnd; i++) {
          const c = buf[i]!
          const k = CHAR_CLASS[c]
          if (k === 0) s[n++] = LOWER[c]!
          else n = writeEscape(s, n, c, k)
        }
        p = labEnd
        continue
      }
      if (b < 0xc0) {
        this.#anomalies.inc('name.bad_label_type')
        return null
      }
      if (p + 1 >= limit) {
        this.#anomalies.inc('name.out_of_bounds')
        return null
      }
      const target = this.msgStart + (((b & 0x3f) << 8) | buf[p + 1]!)
      // Strictly backwards means before this run of labels; then targets strictly decrease and no loop
      // is possible. Anything else is followed (tshark does) but bounded by the hop limit.
      if (target >= off) this.#forward = true
      if (hops >= MAX_POINTER_HOPS) {
        this.#anomalies.inc(this.#forward ? 'name.pointer_loop' : 'name.pointer_chain_too_long')
        return null
      }
      p += 2
      // the recursive read reuses the scratch: take the prefix out first
      const prefix = n === 0 ? '' : latin1Slice.call(s, 0, n)
      const suffix = this.#read(target, this.msgEnd, hops + 1, above + wire)
      if (suffix === null) return null
      wire += this.#wire
      if (wire > MAX_NAME_WIRE_LENGTH) {
        this.#anomalies.inc('name.too_long')
        return null
      }
      result = n === 0 ? suffix : suffix === '.' ? prefix : `${prefix}.${suffix}`
      break
    }
    return this.#store(rel, result, p, wire)
  }
}
