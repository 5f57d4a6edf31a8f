/**
 * The store's own native addon (rocks-native.cc): a write batch handed to RocksDB as one flat buffer,
 * and a narrow range's first entries read as one. Optional: built at install time by
 * scripts/tools/build-native.js; without it (another platform, no compiler, another binding
 * version) the store writes through the binding's per-key calls and reads through its iterators,
 * with the same result. `nativeAddon()` says which, and `nativeAddonUnavailable()` why not.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

/** The binding version whose `Database` struct rocks-native.cc mirrors: any other is not written to. */
export const NATIVE_BINDING_VERSION = '12.2.12'

/** Where build-native.js leaves the addon, beside this file (in the sources and in dist/ alike). */
export const NATIVE_ADDON = join(import.meta.dirname, 'build', 'Release', 'rocks_native.node')

export interface NativeAddon {
  /** whether the binding's handle reads as the addon expects, for the database at `location` */
  probe(handle: bigint, location: string): boolean
  /**
   * writes `length` bytes of operations (see flat-batch.ts) in one atomic batch; `owner`, the
   * binding's database object, is not read: an argument of the call, it stays reachable (and the
   * native struct the handle points to, freed when it is collected, stays allocated) until the
   * call returns
   */
  write(handle: bigint, buffer: Uint8Array, length: number, sync: boolean, owner?: object): number
  /**
   * up to `max` entries of a forward range in one call (see read-rows.ts for the buffer); `owner`
   * as for write
   */
  read(
    handle: bigint,
    lower: Uint8Array,
    lowerExclusive: boolean,
    upper: Uint8Array | null,
    upperInclusive: boolean,
    max: number,
    fillCache: boolean,
    owner?: object,
  ): Buffer
}

const require = createRequire(import.meta.url)
let addon: NativeAddon | null | undefined
let reason: string | null = null

/** The addon, or null when it is not there or not for this binding (then see nativeAddonUnavailable). */
export function nativeAddon(): NativeAddon | null {
  if (addon === undefined) addon = load()
  return addon
}

/** Why nativeAddon() is null, or null when it is not. */
export function nativeAddonUnavailable(): string | null {
  nativeAddon()
  return reason
}

function load(): NativeAddon | null {
  if (process.env.PDNS_MESH_NATIVE === 'off') {
    reason = 'turned off (PDNS_MESH_NATIVE=off)'
    return null
  }
  try {
    const pkg = JSON.parse(readFileSync(require.resolve('@nxtedition/rocksdb/package.json'), 'utf8')) as {
      version: string
    }
    if (pkg.version !== NATIVE_BINDING_VERSION) {
      reason = `built for @nxtedition/rocksdb ${NATIVE_BINDING_VERSION}, not ${pkg.version}`
      return null
    }
    if (!existsSync(NATIVE_ADDON)) {
      reason = `not built (${NATIVE_ADDON} is missing: npm install builds it, with g++ and make)`
      return null
    }
    // the binding first: the addon links against its shared object, which must be loaded already
    require('@nxtedition/rocksdb')
    const a = require(NATIVE_ADDON) as Partial<NativeAddon>
    if (typeof a.probe !== 'function' || typeof a.write !== 'function' || typeof a.read !== 'function') {
      reason = `${NATIVE_ADDON} is not the native addon`
      return null
    }
    return a as NativeAddon
  } catch (err) {
    reason = `does not load: ${(err as Error).message}`
    return null
  }
}
