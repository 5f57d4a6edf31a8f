/**
 * The mesh's packed records block and its signed feed entry, as the mesh design specifies them, so
 * the scale scripts can measure bytes on the wire. This is a measuring copy, not the protocol code
 * (that lives in protocol/ on the mesh branch); it writes the same bytes:
 *
 *   block   varint label count, labels (varint length + UTF-8); then per record:
 *           varint origin-label index · u8 kind (0 answer, 1 nxdomain, 2 nodata) · varint rrtype ·
 *           varint length + UTF-8 rrname · bailiwick (varint length + 1, 0 = none, then UTF-8) ·
 *           varint length + UTF-8 rdata · varint first · varint last · varint cumulative count
 *   entry   zstd (level 3) of the block in protobuf
 *           Entry { bytes author = 1; uint64 seq = 2; bytes prev = 3; uint64 time = 4;
 *                   uint32 records = 5; bytes block = 6 }
 *           SignedEntry { bytes entry = 1; bytes signature = 2 }   (ed25519: 64 bytes)
 */
import { constants, zstdCompressSync } from 'node:zlib'

/** A peer id as the store labels a node's origin (base58btc of an ed25519 identity multihash). */
export const PEER_ID = '12D3KooWGzBh3qK7WPx5uU1dJ6Zq3v8fXnEw1c2Lr9sTtYbHaM4N'

export interface WireRecord {
  origin: string
  kind: 0 | 1 | 2
  rrtype: number
  rrname: string
  bailiwick: string | null
  rdata: string
  first: number
  last: number
  count: number
}

/** A growable byte writer with protobuf-style varints (unsigned, low groups first). */
export class ByteWriter {
  #buf = new Uint8Array(4096)
  #len = 0

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return
    let size = this.#buf.length * 2
    while (size < this.#len + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.#buf.subarray(0, this.#len))
    this.#buf = next
  }

  byte(b: number): void {
    this.#room(1)
    this.#buf[this.#len++] = b
  }

  /** Unsigned varint of a safe integer (up to 2^53). */
  varint(n: number): void {
    this.#room(8)
    while (n >= 0x80) {
      this.#buf[this.#len++] = (n % 0x80) | 0x80
      n = Math.floor(n / 0x80)
    }
    this.#buf[this.#len++] = n
  }

  bytes(b: Uint8Array): void {
    this.#room(b.length)
    this.#buf.set(b, this.#len)
    this.#len += b.length
  }

  /** varint length + UTF-8 */
  text(s: string): void {
    this.lengthPrefixed(Buffer.from(s, 'utf8'))
  }

  lengthPrefixed(b: Uint8Array): void {
    this.varint(b.length)
    this.bytes(b)
  }

  get length(): number {
    return this.#len
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len)
  }
}

export function varintSize(n: number): number {
  let size = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    size++
  }
  return size
}

/** The packed (uncompressed) records block. */
export function packBlock(records: readonly WireRecord[]): Uint8Array {
  const labels = new Map<string, number>()
  for (const r of records) if (!labels.has(r.origin)) labels.set(r.origin, labels.size)
  const w = new ByteWriter()
  w.varint(labels.size)
  for (const label of labels.keys()) w.text(label)
  for (const r of records) {
    w.varint(labels.get(r.origin)!)
    w.byte(r.kind)
    w.varint(r.rrtype)
    w.text(r.rrname)
    if (r.bailiwick === null) w.varint(0)
    else {
      const b = Buffer.from(r.bailiwick, 'utf8')
      w.varint(b.length + 1)
      w.bytes(b)
    }
    w.text(r.rdata)
    w.varint(r.first)
    w.varint(r.last)
    w.varint(r.count)
  }
  return w.finish()
}

export function zstd(block: Uint8Array, level = 3): Uint8Array {
  return zstdCompressSync(block, { params: { [constants.ZSTD_c_compressionLevel]: level } })
}

/** A protobuf varint field (wire type 0). */
function varintField(w: ByteWriter, field: number, n: number): void {
  w.varint(field << 3)
  w.varint(n)
}

/** A protobuf length-delimited field (wire type 2). */
function bytesField(w: ByteWriter, field: number, b: Uint8Array): void {
  w.varint((field << 3) | 2)
  w.lengthPrefixed(b)
}

export interface EntryFields {
  /** 38-byte libp2p peer id (ed25519 identity multihash) */
  author: Uint8Array
  seq: number
  /** sha256 of the previous entry */
  prev: Uint8Array
  /** epoch ms */
  time: number
  records: number
  /** the compressed block */
  block: Uint8Array
}

/** SignedEntry bytes around an Entry (the signature is a 64-byte stand-in: only its size matters here). */
export function signedEntry(e: EntryFields, signature: Uint8Array = new Uint8Array(64)): Uint8Array {
  const entry = new ByteWriter()
  bytesField(entry, 1, e.author)
  varintField(entry, 2, e.seq)
  bytesField(entry, 3, e.prev)
  varintField(entry, 4, e.time)
  varintField(entry, 5, e.records)
  bytesField(entry, 6, e.block)
  const signed = new ByteWriter()
  bytesField(signed, 1, entry.finish())
  bytesField(signed, 2, signature)
  return signed.finish()
}

/** FeedHead { bytes author = 1; uint64 seq = 2; bytes head = 3 } inside a repeated field of a request. */
export function feedHeadBytes(seq: number): number {
  const inner = 1 + 1 + 38 + 1 + varintSize(seq) + 1 + 1 + 32
  return 1 + varintSize(inner) + inner
}

export interface WireSize {
  records: number
  packed: number
  compressed: number
  /** the whole SignedEntry */
  entry: number
}

/** Sizes of one batch sent as one signed entry. */
export function measureBatch(records: readonly WireRecord[], seq = 123_456): WireSize {
  const packed = packBlock(records)
  const block = zstd(packed)
  const entry = signedEntry({
    author: new Uint8Array(38).fill(7),
    seq,
    prev: new Uint8Array(32).fill(9),
    time: 1_767_225_600_000,
    records: records.length,
    block,
  })
  return { records: records.length, packed: packed.length, compressed: block.length, entry: entry.length }
}

/** Summed sizes of batches, each sent as one signed entry. */
export function measureBatches(batches: readonly (readonly WireRecord[])[]): WireSize {
  const sum: WireSize = { records: 0, packed: 0, compressed: 0, entry: 0 }
  for (const b of batches) {
    const m = measureBatch(b)
    sum.records += m.records
    sum.packed += m.packed
    sum.compressed += m.compressed
    sum.entry += m.entry
  }
  return sum
}
