/**
 * RDATA made of domain names and small integers: NS/CNAME/PTR/DNAME/MB/MG/MR/MD/MF, MX/AFSDB/RT/KX,
 * SOA, SRV, NAPTR, RP/MINFO, PX. Every renderer requires the fields to fill RDLENGTH exactly; a
 * mismatch returns null (the parser then emits the generic form and counts rdata.malformed:<TYPE>).
 */
import type { NameReader } from '../name.ts'
import { ANY_COUNT, characterStrings, u16, u32 } from './encoding.ts'

/** One name filling the RDATA (NS, CNAME, PTR, DNAME, MB, MG, MR, MD, MF). */
export function renderName(names: NameReader, off: number, end: number): string | null {
  const n = names.read(off, end)
  return n !== null && names.next === end ? n : null
}

/** 16-bit preference + name (MX, AFSDB, RT, KX). */
export function renderPrefName(names: NameReader, off: number, end: number): string | null {
  if (end - off < 3) return null
  const n = names.read(off + 2, end)
  return n !== null && names.next === end ? `${u16(names.buf, off)} ${n}` : null
}

/** Two names (RP: mbox txt; MINFO: rmailbx emailbx). */
export function renderTwoNames(names: NameReader, off: number, end: number): string | null {
  const a = names.read(off, end)
  if (a === null) return null
  const b = names.read(names.next, end)
  return b !== null && names.next === end ? `${a} ${b}` : null
}

/** PX (RFC 2163): `preference map822 mapx400`. */
export function renderPx(names: NameReader, off: number, end: number): string | null {
  if (end - off < 4) return null
  const a = names.read(off + 2, end)
  if (a === null) return null
  const b = names.read(names.next, end)
  return b !== null && names.next === end ? `${u16(names.buf, off)} ${a} ${b}` : null
}

/** SOA: `mname rname serial refresh retry expire minimum`. */
export function renderSoa(names: NameReader, off: number, end: number): string | null {
  const m = names.read(off, end)
  if (m === null) return null
  const r = names.read(names.next, end)
  if (r === null) return null
  const p = names.next
  if (p + 20 !== end) return null
  const b = names.buf
  return `${m} ${r} ${u32(b, p)} ${u32(b, p + 4)} ${u32(b, p + 8)} ${u32(b, p + 12)} ${u32(b, p + 16)}`
}

/** SRV (RFC 2782): `priority weight port target`. */
export function renderSrv(names: NameReader, off: number, end: number): string | null {
  if (end - off < 7) return null
  const t = names.read(off + 6, end)
  if (t === null || names.next !== end) return null
  const b = names.buf
  return `${u16(b, off)} ${u16(b, off + 2)} ${u16(b, off + 4)} ${t}`
}

/** NAPTR (RFC 3403): `order preference "flags" "services" "regexp" replacement`. */
export function renderNaptr(names: NameReader, off: number, end: number): string | null {
  const b = names.buf
  // the three character-strings end where the replacement name starts: find it by their lengths
  let p = off + 4
  for (let i = 0; i < 3; i++) {
    if (p >= end) return null
    p += 1 + b[p]!
  }
  if (p > end) return null
  const strs = characterStrings(b, off + 4, p, 3, 3)
  if (strs === null) return null
  const r = names.read(p, end)
  if (r === null || names.next !== end) return null
  return `${u16(b, off)} ${u16(b, off + 2)} ${strs} ${r}`
}

/** TXT, SPF and the TXT-shaped types: every character-string quoted, one space between. */
export function renderText(names: NameReader, off: number, end: number): string | null {
  return characterStrings(names.buf, off, end, 1, ANY_COUNT)
}
