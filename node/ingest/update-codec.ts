/**
 * A batch of record updates as one flat buffer, to hand it to the store's writer thread: the
 * buffer is transferred, not cloned, and the other side rebuilds plain objects from it. Numbers go
 * as float64 and strings as UTF-8, so whatever the window held arrives exactly (the store still
 * refuses what it cannot store, as it would have in this thread).
 *
 *   per update: u8 kind | u8 flags (1 max mode, 2 bailiwick, 4 TTL) | f64 rrtype | f64 origin |
 *               f64 first | f64 last | f64 count | [f64 ttl min | f64 ttl max] |
 *               u32 length + UTF-8 of rrname | [bailiwick] | rdata
 */
import type { RecordId, RecordKind } from '../store/keys.ts'
import type { RecordUpdate } from '../store/store.ts'

const KINDS: readonly RecordKind[] = ['rr', 'nxdomain', 'nodata']
const KIND_CODE: Record<RecordKind, number> = { rr: 0, nxdomain: 1, nodata: 2 }
const MAX_MODE = 1
const HAS_BAILIWICK = 2
const HAS_TTL = 4
/** fixed part of an update: 2 bytes, five float64, three string lengths */
const FIXED = 2 + 5 * 8 + 3 * 4

export function encodeUpdates(updates: readonly RecordUpdate[]): Buffer {
  let size = 0
  for (const u of updates) {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit
    size += FIXED + 16 + 3 * (u.id.rrname.length + (u.id.bailiwick?.length ?? 0) + u.id.rdata.length)
  }
  // a memory of its own: a small allocUnsafe() is a slice of Node's shared pool, which cannot be transferred
  const buf = Buffer.allocUnsafeSlow(size)
  let p = 0
  for (const u of updates) {
    const id = u.id
    buf[p] = KIND_CODE[id.kind]
    buf[p + 1] =
      (u.mode === 'max' ? MAX_MODE : 0) |
      (id.bailiwick !== null ? HAS_BAILIWICK : 0) |
      (u.ttl !== undefined ? HAS_TTL : 0)
    p = buf.writeDoubleLE(id.rrtype, p + 2)
    p = buf.writeDoubleLE(id.origin, p)
    p = buf.writeDoubleLE(u.value.first, p)
    p = buf.writeDoubleLE(u.value.last, p)
    p = buf.writeDoubleLE(u.value.count, p)
    if (u.ttl !== undefined) {
      p = buf.writeDoubleLE(u.ttl.min, p)
      p = buf.writeDoubleLE(u.ttl.max, p)
    }
    p = writeString(buf, p, id.rrname)
    if (id.bailiwick !== null) p = writeString(buf, p, id.bailiwick)
    p = writeString(buf, p, id.rdata)
  }
  return buf.subarray(0, p)
}

function writeString(buf: Buffer, p: number, s: string): number {
  const n = buf.write(s, p + 4, 'utf8')
  buf.writeUInt32LE(n, p)
  return p + 4 + n
}

export function decodeUpdates(buf: Buffer): RecordUpdate[] {
  const out: RecordUpdate[] = []
  let p = 0
  while (p < buf.length) {
    const kind = KINDS[buf[p]!]!
    const flags = buf[p + 1]!
    p += 2
    const rrtype = buf.readDoubleLE(p)
    const origin = buf.readDoubleLE(p + 8)
    const first = buf.readDoubleLE(p + 16)
    const last = buf.readDoubleLE(p + 24)
    const count = buf.readDoubleLE(p + 32)
    p += 40
    let ttl: { min: number; max: number } | undefined
    if ((flags & HAS_TTL) !== 0) {
      ttl = { min: buf.readDoubleLE(p), max: buf.readDoubleLE(p + 8) }
      p += 16
    }
    let n = buf.readUInt32LE(p)
    const rrname = buf.toString('utf8', p + 4, p + 4 + n)
    p += 4 + n
    let bailiwick: string | null = null
    if ((flags & HAS_BAILIWICK) !== 0) {
      n = buf.readUInt32LE(p)
      bailiwick = buf.toString('utf8', p + 4, p + 4 + n)
      p += 4 + n
    }
    n = buf.readUInt32LE(p)
    const rdata = buf.toString('utf8', p + 4, p + 4 + n)
    p += 4 + n
    const id: RecordId = { kind, rrname, rrtype, bailiwick, rdata, origin }
    const u: RecordUpdate = {
      id,
      value: { first, last, count },
      mode: (flags & MAX_MODE) !== 0 ? 'max' : 'add',
    }
    if (ttl !== undefined) u.ttl = ttl
    out.push(u)
  }
  return out
}
