/**
 * Byte-level helpers of the key layout: order-preserving integers and lengths, varints for values,
 * prefix ranges, and the scratch-buffer KeyWriter. keys.ts decides what goes where; this file only
 * knows how bytes are written.
 */
import { encodedNameLength, writeName } from './names.ts'

/** [gte, lt) covering every key that starts with `prefix`. */
export function prefixRange(prefix: Uint8Array): { gte: Buffer; lt: Buffer } {
  return { gte: Buffer.from(prefix), lt: Buffer.from(successor(prefix)) }
}

/** The smallest byte string greater than every string starting with `prefix`. */
export function successor(prefix: Uint8Array): Uint8Array {
  const out = Uint8Array.from(prefix)
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]!++
      return out.subarray(0, i + 1)
    }
  }
  // all 0xff: nothing is greater within this tag; one past the tag space
  return Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
}

export function concat(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts)
}

export function u16(n: number): Uint8Array {
  return Uint8Array.of(n >>> 8, n & 0xff)
}

export function u32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
}

export function readU16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!
}

export function readU32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) >>> 0) + (b[p + 1]! << 16) + (b[p + 2]! << 8) + b[p + 3]!
}

/** Unsigned base-128 varint (little-endian groups, as protobuf and dnstable). */
export function writeVarint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
}

export function readVarint(b: Uint8Array, p: number): { value: number; next: number } | null {
  let value = 0
  let mul = 1
  for (let i = 0; i < 8; i++) {
    if (p >= b.length) return null
    const c = b[p++]!
    value += (c & 0x7f) * mul
    if (c < 0x80) return { value, next: p }
    mul *= 0x80
  }
  return null
}

export function readLength(b: Uint8Array, p: number): { value: number; next: number } | null {
  if (p >= b.length) return null
  const c = b[p]!
  if (c < 0x80) return { value: c, next: p + 1 }
  if (c < 0xc0) return p + 2 <= b.length ? { value: ((c & 0x3f) << 8) | b[p + 1]!, next: p + 2 } : null
  if (c < 0xe0 && p + 3 <= b.length)
    return { value: ((c & 0x1f) << 16) | (b[p + 1]! << 8) | b[p + 2]!, next: p + 3 }
  return null
}

/**
 * Keys are built in one reused scratch buffer and copied out once: building them from small parts
 * allocated several arrays per key, and the garbage collector was a fifth of the import profile.
 */
export class KeyWriter {
  buf = Buffer.allocUnsafeSlow(4096)
  n = 0

  start(tag: number): this {
    this.n = 0
    this.byte(tag)
    return this
  }

  ensure(more: number): void {
    if (this.n + more <= this.buf.length) return
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.n + more))
    this.buf.copy(next, 0, 0, this.n)
    this.buf = next
  }

  byte(b: number): void {
    this.ensure(1)
    this.buf[this.n++] = b
  }

  u16(v: number): void {
    this.ensure(2)
    this.buf[this.n++] = v >>> 8
    this.buf[this.n++] = v & 0xff
  }

  u32(v: number): void {
    this.ensure(4)
    this.buf.writeUInt32BE(v >>> 0, this.n)
    this.n += 4
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length)
    this.buf.set(b, this.n)
    this.n += b.length
  }

  /**
   * Length prefix inside keys, order-preserving (unlike a varint): below 0x80 one byte; below 0x4000
   * two bytes 10xxxxxx; else three bytes 110xxxxx (rdata is at most 65535 octets).
   */
  length(len: number): void {
    if (len >= 0x200000) throw new TypeError(`rdata of ${len} bytes is longer than a key can hold`)
    this.ensure(3)
    const b = this.buf
    if (len < 0x80) {
      b[this.n++] = len
    } else if (len < 0x4000) {
      b[this.n++] = 0x80 | (len >>> 8)
      b[this.n++] = len & 0xff
    } else {
      b[this.n++] = 0xc0 | (len >>> 16)
      b[this.n++] = (len >>> 8) & 0xff
      b[this.n++] = len & 0xff
    }
  }

  name(labels: readonly Uint8Array[], reversed: boolean, terminate = true): void {
    this.ensure(encodedNameLength(labels))
    this.n = writeName(this.buf, this.n, labels, reversed, terminate)
  }

  bailiwick(labels: readonly Uint8Array[] | null): void {
    if (labels === null) {
      this.byte(0)
    } else {
      this.byte(1)
      this.name(labels, true)
    }
  }

  /** rdata bytes with their order-preserving length prefix */
  rdata(rd: Uint8Array): void {
    this.length(rd.length)
    this.bytes(rd)
  }

  done(): Buffer {
    const out = Buffer.allocUnsafe(this.n)
    this.buf.copy(out, 0, 0, this.n)
    return out
  }
}

export function encodeU32(n: number): Buffer {
  return Buffer.from(u32(n))
}

export function decodeU32(b: Uint8Array): number | null {
  return b.length === 4 ? readU32(b, 0) : null
}
