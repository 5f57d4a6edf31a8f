/**
 * A narrow lookup's first entries through the native addon's range read (native/rocks-native.cc
 * `read`), for Rocks.rows: one call, one buffer. Each key and value becomes a view of that buffer,
 * where the binding's iterator copies each into a Buffer of its own (a third of a short lookup's
 * CPU: docs/STORAGE.md).
 */
import { PdnsError } from '../errors.ts'
import type { NativeAddon } from './native/index.ts'
import type { Range } from './rocks.ts'

const EMPTY_KEY = new Uint8Array(0)

/**
 * Up to `max` entries of a forward range, flat (`[key, value, …]`), and what is left of the range
 * after them (null when the range ended). `owner` is the binding's database object of `handle`.
 */
export function readFirstRows(
  addon: NativeAddon,
  handle: bigint,
  owner: object,
  range: Range,
  max: number,
): { rows: Buffer[]; rest: Range | null } {
  let read: Buffer
  try {
    read = addon.read(
      handle,
      range.gte ?? range.gt ?? EMPTY_KEY,
      range.gte === undefined && range.gt !== undefined,
      range.lt ?? range.lte ?? null,
      range.lt === undefined && range.lte !== undefined,
      max,
      true,
      owner,
    )
  } catch (cause) {
    throw new PdnsError('ERR_DB_IO', `RocksDB read failed: ${(cause as Error).message}`, { cause })
  }
  const { rows, finished } = readRows(read)
  if (finished) return { rows, rest: null }
  const rest: Range = { gt: rows[rows.length - 2]! }
  if (range.lt !== undefined) rest.lt = range.lt
  else if (range.lte !== undefined) rest.lte = range.lte
  return { rows, rest }
}

/**
 * The read's buffer: a byte that says whether the range ended (1) or more entries follow (0), then
 * per entry its key length and value length (u32 LE each), key and value.
 */
export function readRows(buf: Buffer): { rows: Buffer[]; finished: boolean } {
  const rows: Buffer[] = []
  let o = 1
  while (o < buf.length) {
    const kl = buf[o]! | (buf[o + 1]! << 8) | (buf[o + 2]! << 16) | (buf[o + 3]! << 24)
    const vl = buf[o + 4]! | (buf[o + 5]! << 8) | (buf[o + 6]! << 16) | (buf[o + 7]! << 24)
    o += 8
    rows.push(buf.subarray(o, o + kl), buf.subarray(o + kl, o + kl + vl))
    o += kl + vl
  }
  return { rows, finished: buf[0] === 1 }
}
