/**
 * Values of TTL entries (schema v2): the smallest and largest TTL a record was observed with, for
 * the node's own observations only (COF files and peers carry no TTL). Versioned like record values:
 * u8 version (TTL_V1) | varint ttl_min | varint ttl_max. Seconds, as on the wire (unsigned 32 bits).
 */
import { readVarint, writeVarint } from './key-bytes.ts'

export const TTL_V1 = 1

/** Largest TTL the wire can carry (RFC 1035: an unsigned 32-bit field). */
export const MAX_TTL = 0xffffffff

export interface TtlRange {
  min: number
  max: number
}

export function isStorableTtl(t: TtlRange): boolean {
  return (
    Number.isInteger(t.min) && Number.isInteger(t.max) && t.min >= 0 && t.min <= t.max && t.max <= MAX_TTL
  )
}

export function encodeTtl(t: TtlRange): Buffer {
  const out: number[] = [TTL_V1]
  writeVarint(out, t.min)
  writeVarint(out, t.max)
  return Buffer.from(out)
}

/** Null when the bytes are not a TTL value of a known version. */
export function decodeTtl(b: Uint8Array): TtlRange | null {
  if (b.length < 3 || b[0] !== TTL_V1) return null
  const min = readVarint(b, 1)
  if (min === null) return null
  const max = readVarint(b, min.next)
  if (max === null || max.next !== b.length) return null
  return { min: min.value, max: max.value }
}

/** The TTLs widen whatever the merge mode: the range of every observation. */
export function mergeTtl(old: TtlRange | null, t: TtlRange): TtlRange {
  if (old === null) return { min: t.min, max: t.max }
  return { min: Math.min(old.min, t.min), max: Math.max(old.max, t.max) }
}
