/**
 * Shared material of the store tests: seeded generators of names and records, an independent model of
 * the intended key order (RFC 4034 canonical name order and friends), temp databases, DB dumps and the
 * index invariants every store must keep.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ipv6 } from '../../node/dns/rdata/address.ts'
import {
  decodeFirstKey,
  decodeFwdKey,
  decodeRdataKey,
  decodeRrsetKey,
  decodeSeenKey,
  FIRST_RANGE,
  FWD_RANGE,
  fwdKey,
  RDATA_RANGE,
  type RecordId,
  type RecordKind,
  RRSET_RANGE,
  rdataKey,
  rrsetKey,
  SEEN_RANGE,
} from '../../node/store/keys.ts'
import type { Store } from '../../node/store/store.ts'
import { decodeValue } from '../../node/store/value.ts'
import { randInt } from '../helpers/prng.ts'

export type Rand = () => number

export function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[randInt(rand, items.length)]!
}

// ---------------------------------------------------------------- temp dirs

/** A fresh temp directory and its clean-up (call it in `after`/`t.after`). */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `pdns-store-${prefix}-`))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

// ---------------------------------------------------------------- names

/** Octets that make names awkward: the escape byte and its neighbours, separators, specials, high bytes. */
const ODD_OCTETS = [
  0x00, 0x01, 0x02, 0x03, 0xff, 0xfe, 0x80, 0x7f, 0x2e, 0x5c, 0x20, 0x22, 0x3b, 0x40, 0x24, 0x28,
]
const PLAIN = 'abcdefghijklmnopqrstuvwxyz0123456789-_'

/** One canonical label (ASCII upper case never appears: the codec lower-cases it). */
export function randomLabel(rand: Rand, maxLen = 12): Uint8Array {
  const len = rand() < 0.05 ? 63 : 1 + randInt(rand, maxLen)
  const out = new Uint8Array(len)
  const odd = rand() < 0.3
  for (let i = 0; i < len; i++) {
    if (odd && rand() < 0.4) {
      out[i] = rand() < 0.7 ? pick(rand, ODD_OCTETS) : randInt(rand, 256)
      if (out[i]! >= 0x41 && out[i]! <= 0x5a) out[i]! += 0x20
    } else {
      out[i] = PLAIN.charCodeAt(randInt(rand, PLAIN.length))
    }
  }
  return out
}

export function wireLength(labels: readonly Uint8Array[]): number {
  let n = 1
  for (const l of labels) n += l.length + 1
  return n
}

/** Canonical labels (leftmost first) of a random name of 0 (root) to 5 labels, at most 255 wire octets. */
export function randomLabels(rand: Rand, maxLabels = 5): Uint8Array[] {
  const n = rand() < 0.03 ? 0 : 1 + randInt(rand, maxLabels)
  const labels: Uint8Array[] = []
  for (let i = 0; i < n; i++) labels.push(randomLabel(rand))
  while (wireLength(labels) > 255) labels.shift()
  return labels
}

/** The parser's presentation form, written independently of names.ts (see node/dns/name.ts). */
export function present(labels: readonly Uint8Array[]): string {
  if (labels.length === 0) return '.'
  return labels
    .map((label) => {
      let s = ''
      for (const c of label) {
        if ('.\\";()@$'.includes(String.fromCharCode(c))) s += `\\${String.fromCharCode(c)}`
        else if (c < 0x21 || c > 0x7e) s += `\\${String(c).padStart(3, '0')}`
        else s += String.fromCharCode(c)
      }
      return s
    })
    .join('.')
}

/**
 * Another spelling of the same name, as input might come: ASCII letters in random case, octets as
 * \DDD or \X or raw, sometimes a trailing dot.
 */
export function spell(rand: Rand, labels: readonly Uint8Array[]): string {
  if (labels.length === 0) return '.'
  let text = labels
    .map((label) => {
      let s = ''
      for (const c of label) {
        const ch = String.fromCharCode(c)
        const letter = c >= 0x61 && c <= 0x7a
        const r = rand()
        if (r < 0.08) s += `\\${String(letter && rand() < 0.5 ? c - 0x20 : c).padStart(3, '0')}`
        else if (ch === '.' || ch === '\\') s += `\\${ch}`
        else if (letter) s += rand() < 0.4 ? ch.toUpperCase() : ch
        else if (c >= 0x30 && c <= 0x39) s += ch
        else if (r < 0.3) s += `\\${ch}`
        else s += ch
      }
      return s
    })
    .join('.')
  if (rand() < 0.2 && !text.endsWith('\\')) text += '.'
  return text
}

/** A name near `a` (one label more or less, one octet changed, a label longer or shorter) or a fresh one. */
export function relatedLabels(rand: Rand, a: readonly Uint8Array[]): Uint8Array[] {
  const b: Uint8Array[] = a.map((l) => Uint8Array.from(l))
  const i = randInt(rand, Math.max(1, b.length))
  switch (randInt(rand, 7)) {
    case 0:
      b.unshift(randomLabel(rand, 3))
      break
    case 1:
      b.shift()
      break
    case 2:
      if (b[i] !== undefined) b[i]![randInt(rand, b[i]!.length)] = pick(rand, [0x00, 0x01, 0x02, 0x61, 0xff])
      break
    case 3:
      if (b[i] !== undefined && b[i]!.length < 63)
        b[i] = Uint8Array.from([...b[i]!, pick(rand, [0x00, 0x01, 0x61])])
      break
    case 4:
      if (b[i] !== undefined && b[i]!.length > 1) b[i] = b[i]!.subarray(0, b[i]!.length - 1)
      break
    case 5:
      return b
    default:
      return randomLabels(rand)
  }
  while (wireLength(b) > 255) b.shift()
  return b
}

/** RFC 4034 §6.1: labels compared from the right as octet strings, shorter first; fewer labels first. */
export function compareLabels(a: readonly Uint8Array[], b: readonly Uint8Array[]): number {
  for (let i = 1; ; i++) {
    const la = a[a.length - i]
    const lb = b[b.length - i]
    if (la === undefined || lb === undefined) {
      if (la === undefined && lb === undefined) return 0
      return la === undefined ? -1 : 1
    }
    const c = compareOctets(la, lb)
    if (c !== 0) return c
  }
}

/** Octet strings, shorter first when one is a prefix of the other (plain lexicographic order). */
export function compareOctets(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/** True when `name` is `zone` or below it. */
export function isAtOrBelow(name: readonly Uint8Array[], zone: readonly Uint8Array[]): boolean {
  if (name.length < zone.length) return false
  for (let i = 1; i <= zone.length; i++) {
    if (compareOctets(name[name.length - i]!, zone[zone.length - i]!) !== 0) return false
  }
  return true
}

// ---------------------------------------------------------------- records

/** A record with the canonical labels of its names kept beside it, for the order model. */
export interface Rec {
  id: RecordId
  owner: Uint8Array[]
  /** null: bailiwick unknown */
  bw: Uint8Array[] | null
  /** the host name the rdata points at (for the RDATA index), or null */
  target: Uint8Array[] | null
  /** the address bytes of A/AAAA rdata, or null */
  addr: Uint8Array | null
}

export const KIND_CODE: Record<RecordKind, number> = { rr: 0, nxdomain: 1, nodata: 2 }

/** rrtypes the generator covers: addresses, host-naming types, text, SOA, a private type. */
export const TYPES = [1, 28, 2, 5, 12, 39, 15, 33, 64, 65, 16, 6, 13, 99, 65280] as const

function randomAddress(rand: Rand, n: number): Uint8Array {
  const b = new Uint8Array(n)
  const zeroRun = rand() < 0.5
  for (let i = 0; i < n; i++) b[i] = zeroRun && i >= 2 && i < n - 2 && rand() < 0.8 ? 0 : randInt(rand, 256)
  return b
}

function hex(rand: Rand, n: number): string {
  let s = ''
  for (let i = 0; i < n; i++) s += randInt(rand, 256).toString(16).padStart(2, '0').toUpperCase()
  return s
}

/** Printable text of a TXT character-string (quotes and backslashes escaped as the parser does). */
function txt(rand: Rand, maxLen: number): string {
  const len = randInt(rand, maxLen)
  let s = ''
  for (let i = 0; i < len; i++) {
    const c = 0x20 + randInt(rand, 0x5f)
    s += c === 0x22 || c === 0x5c ? `\\${String.fromCharCode(c)}` : String.fromCharCode(c)
  }
  return `"${s}"`
}

/**
 * Rdata in the parser's presentation form for a type, and the name it points at (NS, CNAME, MX, SRV,
 * SVCB…) as canonical labels. `maxText` bounds TXT rdata.
 */
export function randomRdata(
  rand: Rand,
  rrtype: number,
  maxText = 40,
): { rdata: string; target: Uint8Array[] | null; addr?: Uint8Array } {
  const name = () => randomLabels(rand, 3)
  switch (rrtype) {
    case 1: {
      const a = randomAddress(rand, 4)
      return { rdata: a.join('.'), target: null, addr: a }
    }
    case 28: {
      const a = randomAddress(rand, 16)
      return { rdata: ipv6(a, 0), target: null, addr: a }
    }
    case 2:
    case 5:
    case 12:
    case 39: {
      const t = name()
      return { rdata: present(t), target: t }
    }
    case 15: {
      const t = name()
      return { rdata: `${randInt(rand, 65536)} ${present(t)}`, target: t }
    }
    case 33: {
      const t = name()
      return {
        rdata: `${randInt(rand, 100)} ${randInt(rand, 100)} ${randInt(rand, 65536)} ${present(t)}`,
        target: t,
      }
    }
    case 64:
    case 65: {
      const t = rand() < 0.3 ? [] : name()
      return { rdata: `${randInt(rand, 3)} ${present(t)}${rand() < 0.5 ? ' alpn="h2,h3"' : ''}`, target: t }
    }
    case 16: {
      const parts: string[] = []
      const n = 1 + randInt(rand, 3)
      for (let i = 0; i < n; i++) parts.push(txt(rand, maxText))
      return { rdata: parts.join(' '), target: null }
    }
    case 6:
      return {
        rdata: `${present(name())} ${present(name())} ${randInt(rand, 2 ** 32)} 7200 900 1209600 300`,
        target: null,
      }
    case 13:
      return { rdata: '"INTEL-386" "Linux"', target: null }
    default: {
      const n = randInt(rand, 12)
      return { rdata: n === 0 ? '\\# 0' : `\\# ${n} ${hex(rand, n)}`, target: null }
    }
  }
}

export function randomOrigin(rand: Rand): number {
  const r = rand()
  if (r < 0.1) return 1
  if (r < 0.2) return 0xffffffff
  if (r < 0.5) return 1 + randInt(rand, 4)
  return 1 + randInt(rand, 0xffffffff)
}

export interface RecOptions {
  origin?: number
  kinds?: readonly RecordKind[]
  maxText?: number
  maxLabels?: number
}

export function randomRec(rand: Rand, opts: RecOptions = {}): Rec {
  const kind = pick(rand, opts.kinds ?? (['rr', 'rr', 'rr', 'rr', 'nxdomain', 'nodata'] as const))
  const rrtype = pick(rand, TYPES)
  const owner = randomLabels(rand, opts.maxLabels ?? 5)
  const bw = rand() < 0.5 ? null : owner.slice(randInt(rand, owner.length + 1))
  const rd = kind === 'rr' ? randomRdata(rand, rrtype, opts.maxText) : { rdata: '', target: null }
  const addr = 'addr' in rd ? (rd.addr ?? null) : null
  return {
    id: {
      kind,
      rrname: present(owner),
      rrtype,
      bailiwick: bw === null ? null : present(bw),
      rdata: rd.rdata,
      origin: opts.origin ?? randomOrigin(rand),
    },
    owner,
    bw,
    target: rd.target,
    addr,
  }
}

// ---------------------------------------------------------------- databases

/** Every key and value of a database, in key order, as hex (for byte-exact comparison). */
/** An A record's identity (192.0.2.1, origin 1, no bailiwick) for `rrname`; `over` changes fields. */
export function aRecord(rrname: string, over: Partial<RecordId> = {}): RecordId {
  return { kind: 'rr', rrname, rrtype: 1, bailiwick: null, rdata: '192.0.2.1', origin: 1, ...over }
}

export function dump(store: Store): string[] {
  const out: string[] = []
  for (const [k, v] of store.range({})) out.push(`${k.toString('hex')} ${v.toString('hex')}`)
  return out
}

export interface IndexSummary {
  rrsets: number
  positives: number
  rdata: number
  fwd: number
  seen: number
  first: number
}

/**
 * The invariants of the indexes: every RRSET entry decodes and has a readable value; each positive one
 * has its RDATA entry with the same value; each has exactly one SEEN entry, at its last_seen, and one
 * FIRST entry, at its first_seen; FWD
 * holds exactly the (name, type) pairs of the RRSET entries; no index entry points at nothing.
 */
export function checkIndexes(store: Store): IndexSummary {
  const rrsets = new Map<string, { id: RecordId; value: Buffer; first: number; last: number }>()
  const names = new Set<string>()
  let positives = 0
  for (const [key, value] of store.range(RRSET_RANGE)) {
    const id = decodeRrsetKey(key)
    assert.ok(id !== null, `RRSET key does not decode: ${key.toString('hex')}`)
    assert.ok(rrsetKey(id).equals(key), `RRSET key does not re-encode: ${key.toString('hex')}`)
    const v = decodeValue(value)
    assert.ok(v !== null, `RRSET value does not decode: ${value.toString('hex')}`)
    assert.ok(v.first <= v.last && v.count >= 1, `implausible value ${JSON.stringify(v)}`)
    rrsets.set(key.toString('hex'), { id, value, first: v.first, last: v.last })
    names.add(`${id.rrname}\u0000${id.rrtype}`)
    if (id.kind === 'rr') positives++
  }
  // RDATA: one per positive record, same value
  const pos = [...rrsets.values()].filter((r) => r.id.kind === 'rr')
  const rdValues = store.getMany(pos.map((r) => rdataKey(r.id)))
  for (let i = 0; i < pos.length; i++) {
    const expected = pos[i]!
    assert.ok(rdValues[i] !== undefined, `no RDATA entry for ${JSON.stringify(expected.id)}`)
    assert.ok(rdValues[i]!.equals(expected.value), `RDATA value differs for ${JSON.stringify(expected.id)}`)
  }
  let rdata = 0
  for (const [key] of store.range(RDATA_RANGE, { values: false })) {
    const id = decodeRdataKey(key)
    assert.ok(id !== null, `RDATA key does not decode: ${key.toString('hex')}`)
    assert.ok(
      rrsets.has(rrsetKey(id).toString('hex')),
      `RDATA entry without its record: ${JSON.stringify(id)}`,
    )
    rdata++
  }
  assert.equal(rdata, positives, 'RDATA entries ≠ positive records')
  // SEEN: exactly one per record, at its last_seen
  let seen = 0
  const seenOf = new Set<string>()
  for (const [key] of store.range(SEEN_RANGE, { values: false })) {
    const s = decodeSeenKey(key)
    assert.ok(s !== null, `SEEN key does not decode: ${key.toString('hex')}`)
    const r = rrsets.get(s.rrset.toString('hex'))
    assert.ok(r !== undefined, `SEEN entry without its record: ${key.toString('hex')}`)
    assert.equal(s.lastSeen, r.last, `SEEN entry at ${s.lastSeen}, record last seen ${r.last}`)
    assert.ok(!seenOf.has(s.rrset.toString('hex')), 'two SEEN entries for one record')
    seenOf.add(s.rrset.toString('hex'))
    seen++
  }
  for (const [hexKey, r] of rrsets) assert.ok(seenOf.has(hexKey), `no SEEN entry for ${JSON.stringify(r.id)}`)
  // FIRST: exactly one per record, at its first_seen
  let first = 0
  const firstOf = new Set<string>()
  for (const [key] of store.range(FIRST_RANGE, { values: false })) {
    const f = decodeFirstKey(key)
    assert.ok(f !== null, `FIRST key does not decode: ${key.toString('hex')}`)
    const r = rrsets.get(f.rrset.toString('hex'))
    assert.ok(r !== undefined, `FIRST entry without its record: ${key.toString('hex')}`)
    assert.equal(f.firstSeen, r.first, `FIRST entry at ${f.firstSeen}, record first seen ${r.first}`)
    assert.ok(!firstOf.has(f.rrset.toString('hex')), 'two FIRST entries for one record')
    firstOf.add(f.rrset.toString('hex'))
    first++
  }
  assert.equal(first, rrsets.size, 'FIRST entries ≠ records')
  // FWD: exactly the (name, type) pairs present
  const fwd = new Set<string>()
  for (const [key] of store.range(FWD_RANGE, { values: false })) {
    const f = decodeFwdKey(key)
    assert.ok(f !== null, `FWD key does not decode: ${key.toString('hex')}`)
    assert.ok(fwdKey(f.rrname, f.rrtype).equals(key))
    fwd.add(`${f.rrname}\u0000${f.rrtype}`)
  }
  assert.deepEqual([...fwd].sort(), [...names].sort(), 'FWD entries ≠ (name, type) pairs of the records')
  return { rrsets: rrsets.size, positives, rdata, fwd: fwd.size, seen, first }
}
