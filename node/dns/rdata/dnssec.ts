/**
 * DNSSEC and key-material RDATA: DS/CDS/TA/DLV, DNSKEY/CDNSKEY/KEY, RRSIG/SIG, NSEC, NSEC3,
 * NSEC3PARAM, CSYNC, ZONEMD, SSHFP, TLSA/SMIMEA, OPENPGPKEY, CERT, DHCID, IPSECKEY, HIP.
 */
import { typeName } from '../constants.ts'
import type { NameReader } from '../name.ts'
import { ipv4, ipv6 } from './address.ts'
import { base32hex, base64, hexUpper, u16, u32 } from './encoding.ts'

/** DS, CDS, TA, DLV (RFC 4034 §5.3): `keytag algorithm digesttype DIGEST`. */
export function renderDs(buf: Uint8Array, off: number, end: number): string | null {
  if (end - off < 5) return null
  return `${u16(buf, off)} ${buf[off + 2]} ${buf[off + 3]} ${hexUpper(buf, off + 4, end)}`
}

/** DNSKEY, CDNSKEY, KEY (RFC 4034 §2.2): `flags protocol algorithm base64key`. */
export function renderDnskey(buf: Uint8Array, off: number, end: number): string | null {
  if (end - off < 4) return null
  const key = end - off > 4 ? ` ${base64(buf, off + 4, end)}` : ''
  return `${u16(buf, off)} ${buf[off + 2]} ${buf[off + 3]}${key}`
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

/** RRSIG time field (RFC 4034 §3.2): YYYYMMDDHHmmSS in UTC, the 32-bit value read as absolute seconds. */
export function sigTime(secs: number): string {
  const d = new Date(secs * 1000)
  return (
    String(d.getUTCFullYear()) +
    two(d.getUTCMonth() + 1) +
    two(d.getUTCDate()) +
    two(d.getUTCHours()) +
    two(d.getUTCMinutes()) +
    two(d.getUTCSeconds())
  )
}

/** RRSIG, SIG (RFC 4034 §3.2): `covered alg labels origttl expiration inception keytag signer signature`. */
export function renderRrsig(names: NameReader, off: number, end: number): string | null {
  if (end - off < 19) return null
  const b = names.buf
  const signer = names.read(off + 18, end)
  if (signer === null) return null
  const sig = names.next < end ? ` ${base64(b, names.next, end)}` : ''
  return (
    `${typeName(u16(b, off))} ${b[off + 2]} ${b[off + 3]} ${u32(b, off + 4)} ` +
    `${sigTime(u32(b, off + 8))} ${sigTime(u32(b, off + 12))} ${u16(b, off + 16)} ${signer}${sig}`
  )
}

/**
 * RFC 4034 §4.1.2 type bitmap in [off, end) as mnemonics, each preceded by a space ('' when empty).
 * null when a window is out of order, empty, longer than 32 octets or overruns.
 */
export function typeBitmap(buf: Uint8Array, off: number, end: number): string | null {
  let out = ''
  let p = off
  let lastWindow = -1
  while (p < end) {
    if (p + 2 > end) return null
    const win = buf[p]!
    const len = buf[p + 1]!
    if (win <= lastWindow || len === 0 || len > 32 || p + 2 + len > end) return null
    lastWindow = win
    for (let i = 0; i < len; i++) {
      const byte = buf[p + 2 + i]!
      if (byte === 0) continue
      for (let bit = 0; bit < 8; bit++) {
        if (byte & (0x80 >> bit)) out += ` ${typeName(win * 256 + i * 8 + bit)}`
      }
    }
    p += 2 + len
  }
  return out
}

/** NSEC (RFC 4034 §4.2): `next types...`. */
export function renderNsec(names: NameReader, off: number, end: number): string | null {
  const next = names.read(off, end)
  if (next === null) return null
  const types = typeBitmap(names.buf, names.next, end)
  return types === null ? null : next + types
}

/** Salt as upper-case hex, `-` when empty (RFC 5155 §3.3). */
function salt(buf: Uint8Array, p: number, len: number): string {
  return len === 0 ? '-' : hexUpper(buf, p, p + len)
}

/** NSEC3 (RFC 5155 §3.3): `alg flags iterations salt nexthash types...`. */
export function renderNsec3(buf: Uint8Array, off: number, end: number): string | null {
  if (end - off < 6) return null
  const sl = buf[off + 4]!
  const hp = off + 5 + sl
  if (hp >= end) return null
  const hl = buf[hp]!
  const bp = hp + 1 + hl
  if (hl === 0 || bp > end) return null
  const types = typeBitmap(buf, bp, end)
  if (types === null) return null
  return `${buf[off]} ${buf[off + 1]} ${u16(buf, off + 2)} ${salt(buf, off + 5, sl)} ${base32hex(buf, hp + 1, bp)}${types}`
}

/** NSEC3PARAM (RFC 5155 §4.3): `alg flags iterations salt`. */
export function renderNsec3param(buf: Uint8Array, off: number, end: number): string | null {
  if (end - off < 5 || off + 5 + buf[off + 4]! !== end) return null
  return `${buf[off]} ${buf[off + 1]} ${u16(buf, off + 2)} ${salt(buf, off + 5, buf[off + 4]!)}`
}

/** CSYNC (RFC 7477 §2.1.1): `serial flags types...`. */
export function renderCsync(buf: Uint8Array, off: number, end: number): string | null {
  if (end - off < 6) return null
  const types = typeBitmap(buf, off + 6, end)
  return types === null ? null : `${u32(buf, off)} ${u16(buf, off + 4)}${types}`
}

/** ZONEMD (RFC 8976 §3): `serial scheme hashalg DIGEST` (digest at least 12 octets). */
export function renderZonemd(buf: Uint8Array, off: number, end: number): string | null {
  if (end - off < 6 + 12) return null
  return `${u32(buf, off)} ${buf[off + 4]} ${buf[off + 5]} ${hexUpper(buf, off + 6, end)}`
}

/** SSHFP (RFC 4255 §3.2): `alg fptype FINGERPRINT`. */
export function renderSshfp(buf: Uint8Array, off: number, end: number): string | null {
  if (end - off < 3) return null
  return `${buf[off]} ${buf[off + 1]} ${hexUpper(buf, off + 2, end)}`
}

/** TLSA, SMIMEA (RFC 6698 §2.2): `usage selector mtype DATA`. */
export function renderTlsa(buf: Uint8Array, off: number, end: number): string | null {
  if (end - off < 4) return null
  return `${buf[off]} ${buf[off + 1]} ${buf[off + 2]} ${hexUpper(buf, off + 3, end)}`
}

/** OPENPGPKEY (RFC 7929), DHCID (RFC 4701): the whole RDATA in base64. */
export function renderBase64(buf: Uint8Array, off: number, end: number): string | null {
  return end > off ? base64(buf, off, end) : null
}

/** CERT (RFC 4398 §2.2): `type keytag alg base64`, type and algorithm as numbers. */
export function renderCert(buf: Uint8Array, off: number, end: number): string | null {
  if (end - off < 6) return null
  return `${u16(buf, off)} ${u16(buf, off + 2)} ${buf[off + 4]} ${base64(buf, off + 5, end)}`
}

/** IPSECKEY (RFC 4025 §3.1): `precedence gwtype alg gateway [base64key]`. */
export function renderIpseckey(names: NameReader, off: number, end: number): string | null {
  const b = names.buf
  if (end - off < 3) return null
  const gwType = b[off + 1]!
  let gw: string
  let p = off + 3
  if (gwType === 0) gw = '.'
  else if (gwType === 1) {
    if (p + 4 > end) return null
    gw = ipv4(b, p)
    p += 4
  } else if (gwType === 2) {
    if (p + 16 > end) return null
    gw = ipv6(b, p)
    p += 16
  } else if (gwType === 3) {
    const n = names.read(p, end)
    if (n === null) return null
    gw = n
    p = names.next
  } else return null
  const key = p < end ? ` ${base64(b, p, end)}` : ''
  return `${b[off]} ${gwType} ${b[off + 2]} ${gw}${key}`
}

/** HIP (RFC 8005 §3): `pkalg HIT base64pk [rendezvous...]`. */
export function renderHip(names: NameReader, off: number, end: number): string | null {
  const b = names.buf
  if (end - off < 4) return null
  const hitLen = b[off]!
  const pkLen = u16(b, off + 2)
  const hp = off + 4
  const kp = hp + hitLen
  let p = kp + pkLen
  if (hitLen === 0 || pkLen === 0 || p > end) return null
  let out = `${b[off + 1]} ${hexUpper(b, hp, kp)} ${base64(b, kp, p)}`
  while (p < end) {
    const n = names.read(p, end)
    if (n === null) return null
    out += ` ${n}`
    p = names.next
  }
  return out
}
