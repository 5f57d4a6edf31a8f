/**
 * Values of RRSET and RDATA entries, versioned per value so a later schema can read old entries
 * during a migration: u8 version (VALUE_V1) | varint time_first | varint time_last | varint count.
 * Times are epoch seconds (COF and DNSDB resolution).
 */
import { writeVarint } from './key-bytes.ts'

export const VALUE_V1 = 1

/** Latest time a record can hold, epoch seconds: the SEEN index keys last_seen as a u32 (2106). */
export const MAX_STORED_TIME = 0xffffffff

/** Whether a value can be stored as it is: integer times in [0, MAX_STORED_TIME], first ≤ last, a count ≥ 1. */
export function isStorableValue(v: RecordValue): boolean {
  return (
    Number.isInteger(v.first) &&
    Number.isInteger(v.last) &&
    v.first >= 0 &&
    v.first <= v.last &&
    v.last <= MAX_STORED_TIME &&
    Number.isSafeInteger(v.count) &&
    v.count >= 1
  )
}

export interface RecordValue {
  /** epoch seconds */
  first: number
  /** epoch seconds */
  last: number
  count: number
}

export function encodeValue(v: RecordValue): Buffer {
  const out: number[] = [VALUE_V1]
  writeVarint(out, v.first)
  writeVarint(out, v.last)
  writeVarint(out, v.count)
  return Buffer.from(out)
}

/** Null when the bytes are not a value of a known version (the caller reports corruption). */
export function decodeValue(b: Uint8Array): RecordValue | null {
  return readValue(b) ? { first: valueFirst, last: valueLast, count: valueCount } : null
}

/** A value as one origin's (a vantage's) view of its record. */
export interface OriginValue extends RecordValue {
  origin: number
}

/** decodeValue with the origin in the same object (the query engine's vantages: one object an entry). */
export function decodeOriginValue(b: Uint8Array, origin: number): OriginValue | null {
  return readValue(b) ? { origin, first: valueFirst, last: valueLast, count: valueCount } : null
}

// The fields of the last value readValue() read: read in place, with no object per varint (every
// record of every lookup passes here).
let valueFirst = 0
let valueLast = 0
let valueCount = 0

function readValue(b: Uint8Array): boolean {
  if (b.length < 4 || b[0] !== VALUE_V1) return false
  valueFirst = varintAt(b, 1)
  if (valueFirst < 0) return false
  valueLast = varintAt(b, varintEnd)
  if (valueLast < 0) return false
  valueCount = varintAt(b, varintEnd)
  return valueCount >= 0 && varintEnd === b.length
}

/** Where the last varintAt() ended. */
let varintEnd = 0

/** readVarint's value, or -1 (not a varint); its end in varintEnd. */
function varintAt(b: Uint8Array, p: number): number {
  let value = 0
  let mul = 1
  for (let i = 0; i < 8; i++) {
    if (p >= b.length) return -1
    const c = b[p++]!
    value += (c & 0x7f) * mul
    if (c < 0x80) {
      varintEnd = p
      return value
    }
    mul *= 0x80
  }
  return -1
}

/**
 * How a new value meets the stored one. Times always widen (first = min, last = max). The count is
 * owned by the origin: the local origin's new observations add to it ('add'); a copy of an origin's
 * cumulative counter (a peer's summary, a COF file) replaces it when larger ('max'), so importing the
 * same copy twice changes nothing.
 */
export type MergeMode = 'add' | 'max'

export function mergeValue(old: RecordValue | null, v: RecordValue, mode: MergeMode): RecordValue {
  if (old === null) return { first: v.first, last: v.last, count: v.count }
  return {
    first: Math.min(old.first, v.first),
    last: Math.max(old.last, v.last),
    count: mode === 'add' ? old.count + v.count : Math.max(old.count, v.count),
  }
}
