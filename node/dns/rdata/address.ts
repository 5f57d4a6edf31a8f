/**
 * Address-bearing RDATA: A, AAAA, WKS, APL, EUI48/EUI64 and the ILNP types (NID, L32, L64, LP).
 * Also the address formatters the parser uses for client addresses.
 */

import { lazyTable } from '../lazy-table.ts'
import { ADDRESS_INTERN_SLOTS } from '../limits.ts'
import type { NameReader } from '../name.ts'
import { DEC, DEC_DOT, u16 } from './encoding.ts'

/**
 * The text of recent addresses, by address (ADDRESS_INTERN_SLOTS). Built by concatenation, a fresh
 * dotted quad is a rope that V8 flattens and hashes again wherever it is compared: the window's
 * lookup did so for every A answer. Module-wide: an address's text never changes.
 */
const ADDRESS_MASK = ADDRESS_INTERN_SLOTS - 1
const addressKeys = new Int32Array(ADDRESS_INTERN_SLOTS)
const addressTexts: string[] = new Array<string>(ADDRESS_INTERN_SLOTS).fill('')

/** Dotted quad of the 4 octets at p. */
export function ipv4(buf: Uint8Array, p: number): string {
  const a = (buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!
  const slot = (a ^ (a >>> 11) ^ (a >>> 22)) & ADDRESS_MASK
  const known = addressTexts[slot]!
  // '' marks a slot never used: every address's text is longer
  if (addressKeys[slot] === a && known !== '') return known
  const text = DEC_DOT[buf[p]!]! + DEC_DOT[buf[p + 1]!]! + DEC_DOT[buf[p + 2]!]! + DEC[buf[p + 3]!]!
  addressKeys[slot] = a
  addressTexts[slot] = text
  return text
}

/** Lower-case hex of 16-bit words, filled on first use. */
const hexw = lazyTable(65536, (w) => w.toString(16))

/** The text of recent IPv6 addresses, by address, as for IPv4 above (four 32-bit words a slot). */
const v6Keys = new Int32Array(ADDRESS_INTERN_SLOTS * 4)
const v6Texts: string[] = new Array<string>(ADDRESS_INTERN_SLOTS).fill('')

function word(buf: Uint8Array, p: number): number {
  return (buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!
}

/**
 * RFC 5952 text of the 16 octets at p, identical to inet_ntop (glibc, libuv, hence node:net and tshark):
 * lower case, no leading zeros, the first longest run of two or more zero words as `::`, and the
 * IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) forms with a dotted quad.
 */
export function ipv6(buf: Uint8Array, p: number): string {
  const a = word(buf, p)
  const b = word(buf, p + 4)
  const c = word(buf, p + 8)
  const d = word(buf, p + 12)
  let h = Math.imul(a ^ (b >>> 13), 0x9e3779b1) ^ Math.imul(c ^ (d >>> 7), 0x85ebca6b) ^ b ^ d
  h ^= h >>> 16
  const slot = h & ADDRESS_MASK
  const k = slot * 4
  const known = v6Texts[slot]!
  if (known !== '' && v6Keys[k] === a && v6Keys[k + 1] === b && v6Keys[k + 2] === c && v6Keys[k + 3] === d)
    return known
  const text = ipv6Text(buf, p)
  v6Keys[k] = a
  v6Keys[k + 1] = b
  v6Keys[k + 2] = c
  v6Keys[k + 3] = d
  v6Texts[slot] = text
  return text
}

function ipv6Text(buf: Uint8Array, p: number): string {
  let bestBase = -1
  let bestLen = 0
  let curBase = -1
  let curLen = 0
  for (let i = 0; i < 8; i++) {
    if (buf[p + 2 * i] === 0 && buf[p + 2 * i + 1] === 0) {
      if (curBase < 0) {
        curBase = i
        curLen = 1
      } else curLen++
    } else if (curBase >= 0) {
      if (curLen > bestLen) {
        bestBase = curBase
        bestLen = curLen
      }
      curBase = -1
    }
  }
  if (curBase >= 0 && curLen > bestLen) {
    bestBase = curBase
    bestLen = curLen
  }
  if (bestLen < 2) bestBase = -1
  if (bestBase === 0) {
    if (bestLen === 6) return `::${ipv4(buf, p + 12)}`
    if (bestLen === 5 && buf[p + 10] === 0xff && buf[p + 11] === 0xff) return `::ffff:${ipv4(buf, p + 12)}`
  }
  if (bestBase < 0) {
    let out = hexw(u16(buf, p))
    for (let i = 1; i < 8; i++) out += `:${hexw(u16(buf, p + 2 * i))}`
    return out
  }
  let out = ''
  for (let i = 0; i < bestBase; i++) out += `${hexw(u16(buf, p + 2 * i))}:`
  out += bestBase === 0 ? '::' : ':'
  const tail = bestBase + bestLen
  for (let i = tail; i < 8; i++)
    out += i === tail ? hexw(u16(buf, p + 2 * i)) : `:${hexw(u16(buf, p + 2 * i))}`
  return out
}

/** One bit per port, ports 0-65535. */
const WKS_MAX_BITMAP_BYTES = 65536 / 8

/** WKS (RFC 1035 §3.4.2): `address protocol port...` from the port bitmap. */
export function renderWks(buf: Uint8Array, off: number, end: number): string | null {
  // the bitmap covers ports 0-65535 at most: a longer one names ports that cannot exist
  if (end - off < 5 || end - off - 5 > WKS_MAX_BITMAP_BYTES) return null
  let out = `${ipv4(buf, off)} ${buf[off + 4]}`
  for (let i = off + 5; i < end; i++) {
    const b = buf[i]!
    if (b === 0) continue
    for (let bit = 0; bit < 8; bit++) if (b & (0x80 >> bit)) out += ` ${(i - off - 5) * 8 + bit}`
  }
  return out
}

/** APL (RFC 3123 §5): `[!]afi:address/prefix` items; trailing zero octets are omitted on the wire. */
export function renderApl(buf: Uint8Array, off: number, end: number): string | null {
  const parts: string[] = []
  const addr = new Uint8Array(16)
  let p = off
  while (p < end) {
    if (p + 4 > end) return null
    const afi = u16(buf, p)
    const prefix = buf[p + 2]!
    const neg = (buf[p + 3]! & 0x80) !== 0
    const alen = buf[p + 3]! & 0x7f
    const size = afi === 1 ? 4 : afi === 2 ? 16 : 0
    if (size === 0 || alen > size || p + 4 + alen > end) return null
    if (prefix > size * 8) return null
    addr.fill(0)
    addr.set(buf.subarray(p + 4, p + 4 + alen))
    parts.push(`${neg ? '!' : ''}${afi}:${afi === 1 ? ipv4(addr, 0) : ipv6(addr, 0)}/${prefix}`)
    p += 4 + alen
  }
  return parts.join(' ')
}

function hexGroups(buf: Uint8Array, off: number, n: number, sep: string): string {
  let out = ''
  for (let i = 0; i < n; i++) {
    const b = buf[off + i]!
    out += (i === 0 ? '' : sep) + (b < 16 ? '0' : '') + b.toString(16)
  }
  return out
}

/** EUI48/EUI64 (RFC 7043 §3.2, §4.2): lower-case hex pairs joined by `-`. */
export function renderEui(buf: Uint8Array, off: number, end: number, size: number): string | null {
  return end - off === size ? hexGroups(buf, off, size, '-') : null
}

/** The 64-bit ILNP identifier/locator as four 4-digit hex groups (RFC 6742 §2.3). */
function ilnp64(buf: Uint8Array, p: number): string {
  let out = ''
  for (let i = 0; i < 4; i++)
    out +=
      (i === 0 ? '' : ':') +
      u16(buf, p + 2 * i)
        .toString(16)
        .padStart(4, '0')
  return out
}

/** NID and L64 (RFC 6742): `preference xxxx:xxxx:xxxx:xxxx`. */
export function renderIlnp64(buf: Uint8Array, off: number, end: number): string | null {
  return end - off === 10 ? `${u16(buf, off)} ${ilnp64(buf, off + 2)}` : null
}

/** L32 (RFC 6742): `preference a.b.c.d`. */
export function renderL32(buf: Uint8Array, off: number, end: number): string | null {
  return end - off === 6 ? `${u16(buf, off)} ${ipv4(buf, off + 2)}` : null
}

/** LP (RFC 6742): `preference fqdn`. */
export function renderLp(names: NameReader, off: number, end: number): string | null {
  if (end - off < 3) return null
  const n = names.read(off + 2, end)
  return n !== null && names.next === end ? `${u16(names.buf, off)} ${n}` : null
}
