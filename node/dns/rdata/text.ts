/** Text-shaped RDATA with more structure than TXT: CAA, URI, NSAP. */
import { hexUpper, quoted, u16 } from './encoding.ts'

/** CAA (RFC 8659 §4.1.1): `flags tag "value"`; the tag is 1–15 alphanumerics. */
export function renderCaa(buf: Uint8Array, off: number, end: number): string | null {
  if (end - off < 2) return null
  const tl = buf[off + 1]!
  const ts = off + 2
  if (tl === 0 || tl > 15 || ts + tl > end) return null
  let tag = ''
  for (let i = ts; i < ts + tl; i++) {
    const c = buf[i]!
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
    if (!alnum) return null
    tag += String.fromCharCode(c)
  }
  return `${buf[off]} ${tag} ${quoted(buf, ts + tl, end)}`
}

/** URI (RFC 7553 §4.4): `priority weight "target"`; the target is the rest of the RDATA, non-empty. */
export function renderUri(buf: Uint8Array, off: number, end: number): string | null {
  if (end - off < 5) return null
  return `${u16(buf, off)} ${u16(buf, off + 2)} ${quoted(buf, off + 4, end)}`
}

/** NSAP (RFC 1706 §5): `0x` and the address in hex, upper case like every other hex field here. */
export function renderNsap(buf: Uint8Array, off: number, end: number): string | null {
  return end > off ? `0x${hexUpper(buf, off, end)}` : null
}
