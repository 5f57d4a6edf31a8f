/**
 * Byte-string encodings used by the presentation forms: upper-case hex, base64, base32hex, quoted
 * character-strings, decimal tables, and the RFC 3597 generic form.
 */
import { ESCAPE_CHAR, ESCAPE_DECIMAL, writeEscape } from '../escape.ts'
import { latin1Slice } from '../name.ts'

/** Decimal strings of 0..255: dotted quads and ports are joined from these without number formatting. */
export const DEC: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i))
/** "0." … "255.": a dotted quad is three of these plus one DEC entry. */
export const DEC_DOT: readonly string[] = Array.from({ length: 256 }, (_, i) => `${i}.`)

/**
 * Where text made byte by byte is written before it becomes one string: RDATA is at most 65535
 * octets, each at most 4 characters (\DDD) or 2 (hex), plus quotes and separators. Built with `+=`,
 * such text was a rope of one string per octet, allocated piece by piece and flattened again
 * wherever it is compared (the window's lookup of a TXT record); written here, it is one flat
 * string from one native slice.
 */
const TEXT = Buffer.allocUnsafeSlow(65535 * 4 + 64)
const HEX_DIGITS = Uint8Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0))

function view(buf: Uint8Array, off: number, end: number): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + off, end - off)
}

/** Upper-case hex, as tshark and RFC 3597 examples write digests, salts and generic RDATA. */
export function hexUpper(buf: Uint8Array, off: number, end: number): string {
  return view(buf, off, end).toString('hex').toUpperCase()
}

/** Unbroken base64 with padding (keys, signatures, ech). */
export function base64(buf: Uint8Array, off: number, end: number): string {
  return view(buf, off, end).toString('base64')
}

const B32HEX = '0123456789ABCDEFGHIJKLMNOPQRSTUV'

/** RFC 4648 base32hex, upper case, no padding (NSEC3 next hashed owner, RFC 5155 §3.3). */
export function base32hex(buf: Uint8Array, off: number, end: number): string {
  let out = ''
  let acc = 0
  let bits = 0
  for (let i = off; i < end; i++) {
    acc = ((acc << 8) | buf[i]!) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += B32HEX[(acc >>> bits) & 31]
    }
  }
  if (bits > 0) out += B32HEX[(acc << (5 - bits)) & 31]
  return out
}

/** RFC 3597 §5 generic form `\# len HEX`; `\# 0` for empty RDATA. */
export function generic(buf: Uint8Array, off: number, end: number): string {
  if (end === off) return '\\# 0'
  const s = TEXT
  let n = s.write(`\\# ${end - off} `, 0, 'latin1')
  for (let i = off; i < end; i++) {
    const c = buf[i]!
    s[n++] = HEX_DIGITS[c >> 4]!
    s[n++] = HEX_DIGITS[c & 15]!
  }
  return latin1Slice.call(s, 0, n)
}

/** How an octet is written in a quoted character-string: 0 as is, ESCAPE_CHAR (`\"`, `\\`), ESCAPE_DECIMAL (outside 0x20–0x7E). */
const QCLASS = Uint8Array.from({ length: 256 }, (_, c) =>
  c === 0x22 || c === 0x5c ? ESCAPE_CHAR : c < 0x20 || c > 0x7e ? ESCAPE_DECIMAL : 0,
)

/** Writes the octets [off, end) double-quoted into TEXT at n; returns the new end. */
function writeQuoted(buf: Uint8Array, off: number, end: number, n: number): number {
  const s = TEXT
  s[n++] = 0x22
  for (let i = off; i < end; i++) {
    const c = buf[i]!
    const k = QCLASS[c]
    if (k === 0) s[n++] = c
    else n = writeEscape(s, n, c, k)
  }
  s[n++] = 0x22
  return n
}

/** The octets [off, end) as one double-quoted character-string. */
export function quoted(buf: Uint8Array, off: number, end: number): string {
  return latin1Slice.call(TEXT, 0, writeQuoted(buf, off, end, 0))
}

/** More character-strings than any RDATA (at most 65535 octets, one or more per string) can hold. */
export const ANY_COUNT = 65535

/**
 * Between min and max character-strings (length-prefixed) filling [off, end) exactly, each quoted,
 * joined by one space: TXT and its kin (1 or more), HINFO (2), X25 (1), ISDN (1–2), NAPTR's three.
 * null when a length runs past end or the count is out of bounds (malformed).
 */
export function characterStrings(
  buf: Uint8Array,
  off: number,
  end: number,
  min: number,
  max: number,
): string | null {
  let w = 0
  let p = off
  let n = 0
  while (p < end) {
    if (n === max) return null
    const e = p + 1 + buf[p]!
    if (e > end) return null
    if (n !== 0) TEXT[w++] = 0x20
    w = writeQuoted(buf, p + 1, e, w)
    p = e
    n++
  }
  return n >= min ? latin1Slice.call(TEXT, 0, w) : null
}

/** Big-endian unsigned reads (no DataView: plain indexing is what V8 optimizes best here). */
export function u16(buf: Uint8Array, p: number): number {
  return (buf[p]! << 8) | buf[p + 1]!
}

export function u32(buf: Uint8Array, p: number): number {
  return ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0
}
