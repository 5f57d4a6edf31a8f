/**
 * The whole RocksDB key layout (schema v2) lives in this file; docs/STORAGE.md describes it and
 * test/store/keys.test.ts holds it to its intended order. Modelled on Farsight's dnstable encoding:
 * a type byte, names with their labels reversed so a left wildcard is one prefix scan, addresses as
 * raw bytes so a CIDR is one range scan, base-128 varints in values.
 *
 *   0x00 META    | ascii name                                                  → meta value
 *   0x01 ORIGIN  | u32 id                                                      → utf8 label
 *   0x02 ORIGIN# | utf8 label                                                  → u32 id
 *   0x10 RRSET   | rev(owner) | u16 type | u8 kind | bw | vlen rdata | u32 origin → value
 *   0x11 RDATA   | rdkey | u16 type | rev(owner) | bw | vlen full | u32 origin   → value
 *   0x12 FWD     | fwd(owner) | u16 type                                       → (empty)
 *   0x13 SEEN    | u32 last_seen | RRSET key without its tag                  → (empty)
 *   0x14 FIRST   | u32 first_seen | RRSET key without its tag                 → (empty)   (v2)
 *   0x15 TTL     | RRSET key without its tag                                   → ttl value (v2, local records)
 *   0x16 DOMAIN  | fwd(registered domain of an owner name)                    → (empty)
 *   0x20 FEED    | u32 author origin id | u64 seq                              → SignedEntry bytes
 *   0x21 HEAD    | u32 author origin id                                         → feed head value (feeds.ts: v1, v2 with checkpoints)
 *   0x22 DIRTY   | RRSET key without its tag (an own record updated, not sealed yet) → (empty)
 *
 * rev()/fwd() are the name encodings of names.ts. `bw` (bailiwick) is 00 when unknown, else 01 and
 * rev(bailiwick). `kind` separates answers from negative answers (NXDOMAIN, NODATA), which have no
 * rdata. Integers are big-endian so byte order is numeric order; the origin comes last so one record's
 * vantages are neighbours. rdkey is 04 + 4 address bytes, 06 + 16 address bytes, 0E + rev(target
 * name) for types that point at a host, or 0F + presentation text + 00 for the rest; `full` is the
 * record's rdata when rdkey alone cannot give it back (MX, SRV, SVCB…), else empty.
 */
import { ipv4, ipv6 } from '../dns/rdata/address.ts'
import { parseIPv4, parseIPv6 } from './ip.ts'
import {
  concat,
  decodeU32,
  encodeU32,
  KeyWriter,
  prefixRange,
  readLength,
  readU16,
  readU32,
  successor,
  u16,
  u32,
} from './key-bytes.ts'
import { encodedNameLength, isValidNameText, parseName, readNameText, writeName } from './names.ts'

// the byte helpers that callers of the layout use too
export { decodeU32, encodeU32, successor }

/** v2 added FIRST and TTL (docs/STORAGE.md, "Schema v2"); Store.open migrates a v1 database. */
export const SCHEMA_VERSION = 2

export const TAG_META = 0x00
export const TAG_ORIGIN = 0x01
export const TAG_ORIGIN_BY_LABEL = 0x02
export const TAG_RRSET = 0x10
export const TAG_RDATA = 0x11
export const TAG_FWD = 0x12
export const TAG_SEEN = 0x13
/** records by first_seen (v2): "names first seen since T" is one scan, like SEEN for last_seen */
export const TAG_FIRST = 0x14
/**
 * min and max TTL of a record's own observations (v2). A family of its own, not a field of the
 * record value: the mesh digest and the signed feed entries hash record values, and peers send no
 * TTL, so the value bytes must stay what v1 wrote.
 */
export const TAG_TTL = 0x15
/** registered domains (Public Suffix List) of the owner names: what `lookalikes` scans (registered-domain.ts) */
export const TAG_DOMAIN = 0x16
/** the mesh's feeds (node/mesh): signed entries as received or sealed, and each author's head */
export const TAG_FEED = 0x20
export const TAG_FEED_HEAD = 0x21
/** own records updated since they were last sealed: sealed together every mesh.update_interval */
export const TAG_DIRTY = 0x22

/** rdkey classes in the RDATA index */
export const RD_IPV4 = 0x04
export const RD_IPV6 = 0x06
export const RD_NAME = 0x0e
export const RD_TEXT = 0x0f

export const KIND_RR = 0
export const KIND_NXDOMAIN = 1
export const KIND_NODATA = 2
export type RecordKind = 'rr' | 'nxdomain' | 'nodata'
const KIND_CODE: Record<RecordKind, number> = { rr: KIND_RR, nxdomain: KIND_NXDOMAIN, nodata: KIND_NODATA }
const KIND_NAME: RecordKind[] = ['rr', 'nxdomain', 'nodata']

export const T_A = 1
export const T_AAAA = 28

/** Types whose rdata names a host, and which space-separated field holds it (-1: the last). */
const TARGET_FIELD = new Map<number, number>([
  [2, 0], // NS
  [3, 0], // MD
  [4, 0], // MF
  [5, 0], // CNAME
  [7, 0], // MB
  [8, 0], // MG
  [9, 0], // MR
  [12, 0], // PTR
  [39, 0], // DNAME
  [15, 1], // MX
  [18, 1], // AFSDB
  [21, 1], // RT
  [36, 1], // KX
  [33, 3], // SRV
  [64, 1], // SVCB
  [65, 1], // HTTPS
])

/** The identity of a record in the store: what (rrname, rrtype, rdata) unit, as whom, seen how. */
export interface RecordId {
  kind: RecordKind
  /** presentation form, as the parser writes it */
  rrname: string
  rrtype: number
  /** null: not known */
  bailiwick: string | null
  /** presentation form; '' for negative answers */
  rdata: string
  origin: number
}

// ---------------------------------------------------------------- text

const te = new TextEncoder()
const td = new TextDecoder('utf-8', { fatal: false })

// ---------------------------------------------------------------- names

function nameBytes(text: string, reversed: boolean, terminate = true): Uint8Array {
  const labels = parseName(text)
  if (labels === null) throw new TypeError(`not a domain name: ${JSON.stringify(text)}`)
  return labelBytes(labels, reversed, terminate)
}

function labelBytes(labels: readonly Uint8Array[], reversed: boolean, terminate = true): Uint8Array {
  const out = new Uint8Array(encodedNameLength(labels))
  return out.subarray(0, writeName(out, 0, labels, reversed, terminate))
}

function readBailiwick(b: Uint8Array, p: number): { bailiwick: string | null; next: number } | null {
  if (p >= b.length) return null
  if (b[p] === 0) return { bailiwick: null, next: p + 1 }
  if (b[p] !== 1) return null
  const r = readNameText(b, p + 1, true)
  return r === null ? null : { bailiwick: r.text, next: r.next }
}

/** True when the presentation text is a name the store can key (for validation before writing). */
export function isValidName(text: string): boolean {
  return isValidNameText(text)
}

// ---------------------------------------------------------------- rdata

/**
 * Rdata as the RRSET key holds it: raw address bytes for A/AAAA, else the presentation text. An A or
 * AAAA whose rdata is not an address (malformed on the wire: the parser's RFC 3597 `\# 0`) keeps its
 * text; when that text happens to be 4 (16) bytes long a 00 is appended, which presentation text
 * never contains, so it cannot read back as an address.
 */
export function rdataBytes(rrtype: number, rdata: string): Uint8Array {
  const addressLength = rrtype === T_A ? 4 : rrtype === T_AAAA ? 16 : 0
  if (addressLength === 0) return te.encode(rdata)
  const a = addressLength === 4 ? parseIPv4(rdata) : parseIPv6(rdata)
  if (a !== null) return a
  const text = te.encode(rdata)
  return text.length === addressLength ? concat([text, Uint8Array.of(0)]) : text
}

export function rdataText(rrtype: number, bytes: Uint8Array): string {
  const addressLength = rrtype === T_A ? 4 : rrtype === T_AAAA ? 16 : 0
  if (addressLength !== 0) {
    if (bytes.length === addressLength) return addressLength === 4 ? ipv4(bytes, 0) : ipv6(bytes, 0)
    if (bytes.length === addressLength + 1 && bytes[addressLength] === 0) {
      return td.decode(bytes.subarray(0, addressLength))
    }
  }
  return td.decode(bytes)
}

/** The host name an rdata points at (NS, CNAME, MX, SRV, SVCB…), or null. */
export function rdataTarget(rrtype: number, rdata: string): string | null {
  const field = TARGET_FIELD.get(rrtype)
  if (field === undefined) return null
  const parts = rdata.split(' ')
  const t = parts[field]
  return t !== undefined && parseName(t) !== null ? t : null
}

const kw = new KeyWriter()

function labelsOf(text: string): Uint8Array[] {
  const labels = parseName(text)
  if (labels === null) throw new TypeError(`not a domain name: ${JSON.stringify(text)}`)
  return labels
}

const NO_BYTES = new Uint8Array(0)

/** Every key one record writes, sharing the parsed names (the store's write path). */
export interface RecordKeys {
  rrset: Buffer
  /** null for negative answers */
  rdata: Buffer | null
  fwd: Buffer
}

export function recordKeys(id: RecordId): RecordKeys {
  const owner = labelsOf(id.rrname)
  const bw = id.bailiwick === null ? null : labelsOf(id.bailiwick)
  const rd = id.kind === 'rr' ? rdataBytes(id.rrtype, id.rdata) : NO_BYTES
  return {
    rrset: writeRrset(owner, bw, rd, id),
    rdata: id.kind === 'rr' ? writeRdata(owner, bw, rd, id) : null,
    fwd: writeFwd(owner, id.rrtype),
  }
}

function writeRrset(owner: Uint8Array[], bw: Uint8Array[] | null, rd: Uint8Array, id: RecordId): Buffer {
  kw.start(TAG_RRSET)
  kw.name(owner, true)
  kw.u16(id.rrtype)
  kw.byte(KIND_CODE[id.kind])
  kw.bailiwick(bw)
  kw.rdata(rd)
  kw.u32(id.origin)
  return kw.done()
}

function writeRdata(owner: Uint8Array[], bw: Uint8Array[] | null, rd: Uint8Array, id: RecordId): Buffer {
  kw.start(TAG_RDATA)
  let full = false
  if (id.rrtype === T_A && rd.length === 4) {
    kw.byte(RD_IPV4)
    kw.bytes(rd)
  } else if (id.rrtype === T_AAAA && rd.length === 16) {
    kw.byte(RD_IPV6)
    kw.bytes(rd)
  } else {
    const target = rdataTarget(id.rrtype, id.rdata)
    if (target !== null) {
      kw.byte(RD_NAME)
      kw.name(labelsOf(target), true)
      full = target !== id.rdata
    } else {
      kw.byte(RD_TEXT)
      kw.bytes(te.encode(id.rdata))
      kw.byte(0)
    }
  }
  kw.u16(id.rrtype)
  kw.name(owner, true)
  kw.bailiwick(bw)
  kw.rdata(full ? rd : NO_BYTES)
  kw.u32(id.origin)
  return kw.done()
}

function writeFwd(owner: Uint8Array[], rrtype: number): Buffer {
  kw.start(TAG_FWD)
  kw.name(owner, false)
  kw.u16(rrtype)
  return kw.done()
}

// ---------------------------------------------------------------- RRSET

/** The RRSET key of a record. Throws TypeError on an invalid name (callers validate first). */
export function rrsetKey(id: RecordId): Buffer {
  const owner = labelsOf(id.rrname)
  const bw = id.bailiwick === null ? null : labelsOf(id.bailiwick)
  return writeRrset(owner, bw, id.kind === 'rr' ? rdataBytes(id.rrtype, id.rdata) : NO_BYTES, id)
}

export function decodeRrsetKey(key: Uint8Array): RecordId | null {
  if (key[0] !== TAG_RRSET) return null
  return decodeRrsetBody(key, 1)
}

function decodeRrsetBody(key: Uint8Array, start: number): RecordId | null {
  const owner = readNameText(key, start, true)
  if (owner === null || owner.next + 3 > key.length) return null
  let p = owner.next
  const rrtype = readU16(key, p)
  const kind = KIND_NAME[key[p + 2]!]
  if (kind === undefined) return null
  const bw = readBailiwick(key, p + 3)
  if (bw === null) return null
  const len = readLength(key, bw.next)
  if (len === null) return null
  p = len.next
  if (p + len.value + 4 !== key.length) return null
  return {
    kind,
    rrname: owner.text,
    rrtype,
    bailiwick: bw.bailiwick,
    rdata: rdataText(rrtype, key.subarray(p, p + len.value)),
    origin: readU32(key, key.length - 4),
  }
}

/** Range of RRSET keys for one owner name, or (wildcard) every name at or below it. */
export function rrsetNameRange(name: string, below: boolean): { gte: Buffer; lt: Buffer } {
  return prefixRange(concat([Uint8Array.of(TAG_RRSET), nameBytes(name, true, !below)]))
}

/** Range of RRSET keys for one owner and type. */
export function rrsetTypeRange(name: string, rrtype: number): { gte: Buffer; lt: Buffer } {
  return prefixRange(concat([Uint8Array.of(TAG_RRSET), nameBytes(name, true), u16(rrtype)]))
}

/** What all of one record's keys share across origins: an RRSET or RDATA key without its origin. */
export function recordPrefix(key: Buffer): Buffer {
  return key.subarray(0, key.length - 4)
}

/** Whether an RRSET or RDATA key is one of the record with this prefix (compared in place: no view). */
export function isKeyOfRecord(key: Buffer, prefix: Buffer): boolean {
  const end = key.length - 4
  return prefix.length === end && key.compare(prefix, 0, end, 0, end) === 0
}

/** The origin number an RRSET or RDATA key ends with. */
export function originOfKey(key: Uint8Array): number {
  return readU32(key, key.length - 4)
}

// ---------------------------------------------------------------- RDATA index

/** The RDATA index key of a positive record (negatives have none). */
export function rdataKey(id: RecordId): Buffer {
  const owner = labelsOf(id.rrname)
  const bw = id.bailiwick === null ? null : labelsOf(id.bailiwick)
  return writeRdata(owner, bw, rdataBytes(id.rrtype, id.rdata), id)
}

export function decodeRdataKey(key: Uint8Array): RecordId | null {
  if (key[0] !== TAG_RDATA || key.length < 2) return null
  const cls = key[1]!
  let p = 2
  let fromKey: string
  if (cls === RD_IPV4 || cls === RD_IPV6) {
    const n = cls === RD_IPV4 ? 4 : 16
    if (p + n > key.length) return null
    fromKey = cls === RD_IPV4 ? ipv4(key, p) : ipv6(key, p)
    p += n
  } else if (cls === RD_NAME) {
    const r = readNameText(key, p, true)
    if (r === null) return null
    fromKey = r.text
    p = r.next
  } else if (cls === RD_TEXT) {
    const end = key.indexOf(0, p)
    if (end < 0) return null
    fromKey = td.decode(key.subarray(p, end))
    p = end + 1
  } else {
    return null
  }
  if (p + 2 > key.length) return null
  const rrtype = readU16(key, p)
  const owner = readNameText(key, p + 2, true)
  if (owner === null) return null
  const bw = readBailiwick(key, owner.next)
  if (bw === null) return null
  const len = readLength(key, bw.next)
  if (len === null || len.next + len.value + 4 !== key.length) return null
  const rdata = len.value > 0 ? rdataText(rrtype, key.subarray(len.next, len.next + len.value)) : fromKey
  return {
    kind: 'rr',
    rrname: owner.text,
    rrtype,
    bailiwick: bw.bailiwick,
    rdata,
    origin: readU32(key, key.length - 4),
  }
}

/** RDATA keys of addresses from `lo` to `hi` inclusive (both 4 or both 16 bytes). */
export function rdataAddressRange(lo: Uint8Array, hi: Uint8Array): { gte: Buffer; lt: Buffer } {
  const cls = lo.length === 4 ? RD_IPV4 : RD_IPV6
  return {
    gte: concat([Uint8Array.of(TAG_RDATA, cls), lo]),
    lt: Buffer.from(successor(concat([Uint8Array.of(TAG_RDATA, cls), hi]))),
  }
}

/** RDATA keys whose target is this name, or (below) any name at or below it. */
export function rdataNameRange(name: string, below: boolean): { gte: Buffer; lt: Buffer } {
  return prefixRange(concat([Uint8Array.of(TAG_RDATA, RD_NAME), nameBytes(name, true, !below)]))
}

/** RDATA keys of other types whose presentation text is exactly `text` (or starts with it). */
export function rdataTextRange(text: string, startsWith: boolean): { gte: Buffer; lt: Buffer } {
  const body = te.encode(text)
  return prefixRange(
    concat([Uint8Array.of(TAG_RDATA, RD_TEXT), body, startsWith ? new Uint8Array(0) : Uint8Array.of(0)]),
  )
}

// ---------------------------------------------------------------- FWD (right wildcards)

export function fwdKey(rrname: string, rrtype: number): Buffer {
  return writeFwd(labelsOf(rrname), rrtype)
}

export function decodeFwdKey(key: Uint8Array): { rrname: string; rrtype: number } | null {
  if (key[0] !== TAG_FWD) return null
  const r = readNameText(key, 1, false)
  if (r === null || r.next + 2 !== key.length) return null
  return { rrname: r.text, rrtype: readU16(key, r.next) }
}

/** FWD keys of names that start with these labels and have at least one more (`www.example.*`). */
export function fwdPrefixRange(leading: string): { gte: Buffer; lt: Buffer } {
  const prefix = concat([Uint8Array.of(TAG_FWD), nameBytes(leading, false, false)])
  // skip the name itself (its next byte is the 00 terminator): start at the first further label
  return { gte: concat([prefix, Uint8Array.of(1)]), lt: Buffer.from(successor(prefix)) }
}

// ---------------------------------------------------------------- SEEN (by last_seen)

export function seenKey(lastSeen: number, rrset: Uint8Array): Buffer {
  return timeIndexKey(TAG_SEEN, lastSeen, rrset)
}

/**
 * `tag`, a u32 time, then an RRSET key's body: built in one allocation (concat of the three parts
 * made four, twice for every record written).
 */
function timeIndexKey(tag: number, t: number, rrset: Uint8Array): Buffer {
  const n = rrset.length
  const out = Buffer.allocUnsafe(n + 4)
  out[0] = tag
  out[1] = t >>> 24
  out[2] = (t >>> 16) & 0xff
  out[3] = (t >>> 8) & 0xff
  out[4] = t & 0xff
  for (let i = 1; i < n; i++) out[i + 4] = rrset[i]!
  return out
}

export function decodeSeenKey(key: Uint8Array): { lastSeen: number; rrset: Buffer } | null {
  if (key[0] !== TAG_SEEN || key.length < 6 || decodeRrsetBody(key, 5) === null) return null
  return { lastSeen: readU32(key, 1), rrset: concat([Uint8Array.of(TAG_RRSET), key.subarray(5)]) }
}

/** SEEN keys with last_seen in [from, to] (epoch seconds). */
export function seenRange(from: number, to: number): { gte: Buffer; lt: Buffer } {
  return {
    gte: concat([Uint8Array.of(TAG_SEEN), u32(Math.max(0, from))]),
    lt: Buffer.from(successor(concat([Uint8Array.of(TAG_SEEN), u32(Math.min(0xffffffff, to))]))),
  }
}

// ---------------------------------------------------------------- FIRST (by first_seen)

export function firstKey(firstSeen: number, rrset: Uint8Array): Buffer {
  return timeIndexKey(TAG_FIRST, firstSeen, rrset)
}

export function decodeFirstKey(key: Uint8Array): { firstSeen: number; rrset: Buffer } | null {
  if (key[0] !== TAG_FIRST || key.length < 6 || decodeRrsetBody(key, 5) === null) return null
  return { firstSeen: readU32(key, 1), rrset: concat([Uint8Array.of(TAG_RRSET), key.subarray(5)]) }
}

/** FIRST keys with first_seen in [from, to] (epoch seconds). */
export function firstRange(from: number, to: number): { gte: Buffer; lt: Buffer } {
  return {
    gte: concat([Uint8Array.of(TAG_FIRST), u32(Math.max(0, from))]),
    lt: Buffer.from(successor(concat([Uint8Array.of(TAG_FIRST), u32(Math.min(0xffffffff, to))]))),
  }
}

// ---------------------------------------------------------------- TTL (local records' min/max TTL)

export function ttlKey(rrset: Uint8Array): Buffer {
  // one allocation: this runs for every record written with a TTL (a concat made three)
  const out = Buffer.allocUnsafe(rrset.length)
  out[0] = TAG_TTL
  for (let i = 1; i < rrset.length; i++) out[i] = rrset[i]!
  return out
}

/** The RRSET key a TTL key belongs to, or null when the rest is no RRSET key body. */
export function rrsetOfTtl(key: Uint8Array): Buffer | null {
  if (key[0] !== TAG_TTL || decodeRrsetBody(key, 1) === null) return null
  return concat([Uint8Array.of(TAG_RRSET), key.subarray(1)])
}

// ---------------------------------------------------------------- origins and meta

export function originKey(id: number): Buffer {
  return concat([Uint8Array.of(TAG_ORIGIN), u32(id)])
}

export function originLabelKey(label: string): Buffer {
  return concat([Uint8Array.of(TAG_ORIGIN_BY_LABEL), te.encode(label)])
}

export function decodeOriginKey(key: Uint8Array): number | null {
  return key[0] === TAG_ORIGIN && key.length === 5 ? readU32(key, 1) : null
}

export function metaKey(name: string): Buffer {
  return concat([Uint8Array.of(TAG_META), te.encode(name)])
}

export const ORIGINS_RANGE = prefixRange(Uint8Array.of(TAG_ORIGIN))
export const RRSET_RANGE = prefixRange(Uint8Array.of(TAG_RRSET))
export const RDATA_RANGE = prefixRange(Uint8Array.of(TAG_RDATA))
export const FWD_RANGE = prefixRange(Uint8Array.of(TAG_FWD))
export const SEEN_RANGE = prefixRange(Uint8Array.of(TAG_SEEN))
export const FIRST_RANGE = prefixRange(Uint8Array.of(TAG_FIRST))
export const TTL_RANGE = prefixRange(Uint8Array.of(TAG_TTL))

// ---------------------------------------------------------------- DOMAIN (registered domains)

/** The DOMAIN key of a registered domain (`example.co.uk`): forward order, so one label's suffixes are neighbours. */
export function domainKey(domain: string): Buffer {
  return Buffer.from(concat([Uint8Array.of(TAG_DOMAIN), nameBytes(domain, false)]))
}

export function decodeDomainKey(key: Uint8Array): string | null {
  if (key[0] !== TAG_DOMAIN) return null
  const r = readNameText(key, 1, false)
  if (r === null || r.next !== key.length) return null
  return r.text
}

export const DOMAIN_RANGE = prefixRange(Uint8Array.of(TAG_DOMAIN))

// ---------------------------------------------------------------- FEED (the mesh's signed entries)

function u64(n: number): Uint8Array {
  const b = new Uint8Array(8)
  const hi = Math.floor(n / 0x100000000)
  new DataView(b.buffer).setUint32(0, hi)
  new DataView(b.buffer).setUint32(4, n >>> 0)
  return b
}

/** Entry `seq` of the author whose origin number is `author`. */
export function feedKey(author: number, seq: number): Buffer {
  return concat([Uint8Array.of(TAG_FEED), u32(author), u64(seq)])
}

export function decodeFeedKey(key: Uint8Array): { author: number; seq: number } | null {
  if (key[0] !== TAG_FEED || key.length !== 13) return null
  return { author: readU32(key, 1), seq: readU32(key, 5) * 0x100000000 + readU32(key, 9) }
}

/** Entries of one author with seq in [from, to), or [from, ∞) without `to`. */
export function feedRange(author: number, from: number, to?: number): { gte: Buffer; lt: Buffer } {
  return {
    gte: feedKey(author, from),
    lt:
      to === undefined
        ? Buffer.from(successor(concat([Uint8Array.of(TAG_FEED), u32(author)])))
        : feedKey(author, to),
  }
}

export function feedHeadKey(author: number): Buffer {
  return concat([Uint8Array.of(TAG_FEED_HEAD), u32(author)])
}

export function decodeFeedHeadKey(key: Uint8Array): number | null {
  return key[0] === TAG_FEED_HEAD && key.length === 5 ? readU32(key, 1) : null
}

export const FEED_RANGE = prefixRange(Uint8Array.of(TAG_FEED))
export const FEED_HEAD_RANGE = prefixRange(Uint8Array.of(TAG_FEED_HEAD))

// ---------------------------------------------------------------- DIRTY (updates waiting to be sealed)

export function dirtyKey(rrset: Uint8Array): Buffer {
  return concat([Uint8Array.of(TAG_DIRTY), rrset.subarray(1)])
}

/** The RRSET key a DIRTY key stands for. */
export function rrsetOfDirty(key: Uint8Array): Buffer {
  return concat([Uint8Array.of(TAG_RRSET), key.subarray(1)])
}

export const DIRTY_RANGE = prefixRange(Uint8Array.of(TAG_DIRTY))
