/**
 * The records of one feed entry, packed and zstd-compressed (docs/PROTOCOL.md, "Records block"):
 *
 *   u8 version (1)
 *   varint label count, then each label: varint length, UTF-8 bytes
 *     (a label is the origin below the author: '' is the author itself, `unbound1` is
 *      `<author peer id>/unbound1`, its dnstap feed)
 *   varint record count, then each record:
 *     varint label index · u8 kind (0 answer, 1 NXDOMAIN, 2 NODATA) · varint rrtype
 *     · str rrname · bailiwick (varint 0: unknown, else length + 1, then the bytes) · str rdata
 *     · varint time_first · varint time_last · varint count (the origin's cumulative count)
 *   str = varint length, UTF-8 bytes; varint = unsigned LEB128, at most 8 bytes (< 2^53)
 *
 * Decoding never trusts a length: every field is bounded (limits.ts) and the block must end exactly
 * after its last record.
 */
import { constants as zc, zstdCompressSync, zstdDecompressSync } from 'node:zlib'
import { WireError } from './errors.ts'
import {
  MAX_BLOCK_BYTES,
  MAX_BLOCK_LABELS,
  MAX_ENTRY_RECORDS,
  MAX_FIELD_BYTES,
  MAX_LABEL_SUFFIX_BYTES,
} from './limits.ts'

export const BLOCK_VERSION = 1
/** zstd level of sealed blocks: 3 (zstd's default) measured best bytes-per-CPU in bench:sync */
export const BLOCK_ZSTD_LEVEL = 3

export type WireKind = 0 | 1 | 2

export interface BlockRecord {
  /** origin below the author: '' for the author itself */
  label: string
  kind: WireKind
  rrtype: number
  rrname: string
  bailiwick: string | null
  rdata: string
  first: number
  last: number
  count: number
}

class Writer {
  #buf = Buffer.allocUnsafe(64 * 1024)
  #p = 0

  #room(n: number): void {
    if (this.#p + n <= this.#buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#p + n))
    this.#buf.copy(next, 0, 0, this.#p)
    this.#buf = next
  }

  byte(v: number): void {
    this.#room(1)
    this.#buf[this.#p++] = v
  }

  varint(v: number): void {
    this.#room(8)
    while (v >= 0x80) {
      this.#buf[this.#p++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    this.#buf[this.#p++] = v
  }

  str(s: string): void {
    const n = Buffer.byteLength(s)
    this.varint(n)
    this.#room(n)
    this.#p += this.#buf.write(s, this.#p)
  }

  done(): Buffer {
    return this.#buf.subarray(0, this.#p)
  }
}

class Reader {
  readonly #b: Uint8Array
  #p = 0

  constructor(b: Uint8Array) {
    this.#b = b
  }

  get atEnd(): boolean {
    return this.#p === this.#b.length
  }

  byte(): number {
    if (this.#p >= this.#b.length) throw new WireError('bad-block', 'records block ends early')
    return this.#b[this.#p++]!
  }

  varint(): number {
    let v = 0
    let scale = 1
    for (let i = 0; i < 8; i++) {
      const b = this.byte()
      v += (b & 0x7f) * scale
      if (b < 0x80) {
        if (!Number.isSafeInteger(v)) break
        return v
      }
      scale *= 0x80
    }
    throw new WireError('bad-block', 'records block: a varint is too long')
  }

  str(max: number): string {
    const n = this.varint()
    if (n > max || this.#p + n > this.#b.length) {
      throw new WireError('bad-block', 'records block: a text field is too long')
    }
    const s = Buffer.from(this.#b.buffer, this.#b.byteOffset + this.#p, n).toString('utf8')
    this.#p += n
    return s
  }
}

const KIND_OK = new Set([0, 1, 2])

/** The packed, uncompressed block. */
export function packRecords(records: readonly BlockRecord[]): Buffer {
  const labels = new Map<string, number>()
  for (const r of records) if (!labels.has(r.label)) labels.set(r.label, labels.size)
  const w = new Writer()
  w.byte(BLOCK_VERSION)
  w.varint(labels.size)
  for (const l of labels.keys()) w.str(l)
  w.varint(records.length)
  for (const r of records) {
    w.varint(labels.get(r.label)!)
    w.byte(r.kind)
    w.varint(r.rrtype)
    w.str(r.rrname)
    if (r.bailiwick === null) w.varint(0)
    else {
      w.varint(Buffer.byteLength(r.bailiwick) + 1)
      const b = Buffer.from(r.bailiwick)
      for (const x of b) w.byte(x)
    }
    w.str(r.rdata)
    w.varint(r.first)
    w.varint(r.last)
    w.varint(r.count)
  }
  return w.done()
}

export function unpackRecords(b: Uint8Array): BlockRecord[] {
  const r = new Reader(b)
  if (r.byte() !== BLOCK_VERSION) throw new WireError('bad-block', 'records block: unknown version')
  const nLabels = r.varint()
  if (nLabels > MAX_BLOCK_LABELS) throw new WireError('bad-block', 'records block: too many labels')
  const labels: string[] = []
  for (let i = 0; i < nLabels; i++) labels.push(r.str(MAX_LABEL_SUFFIX_BYTES))
  const n = r.varint()
  if (n > MAX_ENTRY_RECORDS) throw new WireError('bad-block', 'records block: too many records')
  const out: BlockRecord[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const li = r.varint()
    const label = labels[li]
    if (label === undefined) throw new WireError('bad-block', 'records block: label index out of range')
    const kind = r.byte()
    if (!KIND_OK.has(kind)) throw new WireError('bad-block', 'records block: unknown record kind')
    const rrtype = r.varint()
    if (rrtype > 0xffff) throw new WireError('bad-block', 'records block: rrtype above 65535')
    const rrname = r.str(MAX_FIELD_BYTES)
    const bwLen = r.varint()
    let bailiwick: string | null = null
    if (bwLen > 0) {
      if (bwLen - 1 > MAX_FIELD_BYTES) throw new WireError('bad-block', 'records block: bailiwick too long')
      const bytes: number[] = []
      for (let k = 0; k < bwLen - 1; k++) bytes.push(r.byte())
      bailiwick = Buffer.from(bytes).toString('utf8')
    }
    const rdata = r.str(MAX_FIELD_BYTES)
    const first = r.varint()
    const last = r.varint()
    const count = r.varint()
    if (first > last || count < 1) {
      throw new WireError('bad-block', 'records block: first after last, or a count below 1')
    }
    out[i] = { label, kind: kind as WireKind, rrtype, rrname, bailiwick, rdata, first, last, count }
  }
  if (!r.atEnd) throw new WireError('bad-block', 'records block: bytes after the last record')
  return out
}

export function compressBlock(packed: Uint8Array): Buffer {
  return zstdCompressSync(packed, { params: { [zc.ZSTD_c_compressionLevel]: BLOCK_ZSTD_LEVEL } })
}

/** Decompresses with its output capped at MAX_BLOCK_BYTES: a decompression bomb stops there. */
export function decompressBlock(compressed: Uint8Array): Buffer {
  try {
    return zstdDecompressSync(compressed, { maxOutputLength: MAX_BLOCK_BYTES })
  } catch (cause) {
    throw new WireError('bad-block', 'records block: not zstd, or larger than MAX_BLOCK_BYTES', { cause })
  }
}
