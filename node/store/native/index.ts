/**
 * The store's own native addon (flat-batch.cc): a write batch handed to RocksDB as one flat buffer.
 * Optional: built at install time by scripts/tools/build-native.js; without it (another platform,
 * no compiler, another binding version) the store writes through the binding's per-key calls, with
 * the same result. `flatBatchAddon()` says which, and `flatBatchUnavailable()` why not.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

/** The binding version whose `Database` struct flat-batch.cc mirrors: any other is not written to. */
export const FLAT_BATCH_BINDING_VERSION = '12.2.12'

/** Where build-native.js leaves the addon, beside this file (in the sources and in dist/ alike). */
export const FLAT_BATCH_ADDON = join(import.meta.dirname, 'build', 'Release', 'flat_batch.node')

export interface FlatBatchAddon {
  /** whether the binding's handle reads as the addon expects, for the database at `location` */
  probe(handle: bigint, location: string): boolean
  /**
   * writes `length` bytes of operations (see flat-batch.ts) in one atomic batch; `owner`, the
   * binding's database object, is not read: an argument of the call, it stays reachable (and the
   * native struct the handle points to, freed when it is collected, stays allocated) until the
   * call returns
   */
  write(handle: bigint, buffer: Uint8Array, length: number, sync: boolean, owner?: object): number
}

const require = createRequire(import.meta.url)
let addon: FlatBatchAddon | null | undefined
let reason: string | null = null

/** The addon, or null when it is not there or not for this binding (then see flatBatchUnavailable). */
export function flatBatchAddon(): FlatBatchAddon | null {
  if (addon === undefined) addon = load()
  return addon
}

/** Why flatBatchAddon() is null, or null when it is not. */
export function flatBatchUnavailable(): string | null {
  flatBatchAddon()
  return reason
}

function load(): FlatBatchAddon | null {
  if (process.env.PDNS_MESH_FLAT_BATCH === 'off') {
    reason = 'turned off (PDNS_MESH_FLAT_BATCH=off)'
    return null
  }
  try {
    const pkg = JSON.parse(readFileSync(require.resolve('@nxtedition/rocksdb/package.json'), 'utf8')) as {
      version: string
    }
    if (pkg.version !== FLAT_BATCH_BINDING_VERSION) {
      reason = `built for @nxtedition/rocksdb ${FLAT_BATCH_BINDING_VERSION}, not ${pkg.version}`
      return null
    }
    if (!existsSync(FLAT_BATCH_ADDON)) {
      reason = `not built (${FLAT_BATCH_ADDON} is missing: npm install builds it, with g++ and make)`
      return null
    }
    // the binding first: the addon links against its shared object, which must be loaded already
    require('@nxtedition/rocksdb')
    const a = require(FLAT_BATCH_ADDON) as Partial<FlatBatchAddon>
    if (typeof a.probe !== 'function' || typeof a.write !== 'function') {
      reason = `${FLAT_BATCH_ADDON} is not the flat batch addon`
      return null
    }
    return a as FlatBatchAddon
  } catch (err) {
    reason = `does not load: ${(err as Error).message}`
    return null
  }
}
