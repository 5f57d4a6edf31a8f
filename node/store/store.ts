/**
 * The passive DNS database of one node: records per origin in RocksDB, with the indexes of keys.ts
 * kept in step by one write path (apply). Opening checks the schema version (schema.ts); origins
 * (vantages) are numbered by origins.ts.
 */
import { join } from 'node:path'
import { PdnsError } from '../errors.ts'
import {
  decodeFwdKey,
  dirtyKey,
  domainKey,
  encodeU32,
  FWD_RANGE,
  firstKey,
  metaKey,
  type RecordId,
  type RecordKeys,
  RRSET_RANGE,
  recordKeys,
  seenKey,
  TAG_RRSET,
  ttlKey,
} from './keys.ts'
import { KNOWN_NEW_MAX_KEYS, MIGRATION_BATCH_SIZE } from './limits.ts'
import { Origins } from './origins.ts'
import { registeredDomain } from './registered-domain.ts'
import { type Batch, type Range, Rocks, type RowsOptions, type Write } from './rocks.ts'
import { checkSchema, checkSchemaMarker } from './schema.ts'
import { decodeTtl, encodeTtl, isStorableTtl, mergeTtl, type TtlRange } from './ttl.ts'
import {
  decodeValue,
  encodeValue,
  isStorableValue,
  type MergeMode,
  mergeValue,
  type RecordValue,
} from './value.ts'
import { KeyFilter } from './written.ts'
import { WrittenNames } from './written-names.ts'

export interface StoreOptions {
  /** create the database when the directory holds none (import, the node); queries do not */
  create?: boolean
  /**
   * refuse writes through this Store. The binding has no RocksDB read-only open, so the database is
   * still locked (and its WAL replayed) while open.
   */
  readOnly?: boolean
  /** block cache bytes */
  cacheSize?: number
  /** writes and narrow reads through the native addon when it is built (default), or the binding's own calls */
  nativeAddon?: boolean
}

export interface RecordUpdate {
  id: RecordId
  value: RecordValue
  mode: MergeMode
  /** min/max TTL of these observations: local ones only (copies from peers and COF carry none) */
  ttl?: TtlRange
}

/**
 * Seals the changes of the origins a node speaks for into its mesh feed (node/mesh/local-feed.ts),
 * inside apply()'s atomic batch: a record and the signed entry that carries it are written together
 * or not at all, so a crash can never leave a change that peers will not hear of.
 */
export interface FeedSealer {
  /** whether this origin label's records go into the feed */
  owns(label: string): boolean
  /** the writes of entries carrying these records (their values after the merge) */
  seal(changed: readonly { id: RecordId; value: RecordValue }[]): { writes: Write[]; commit(): void }
  /**
   * true: an update of a record already sealed is only marked (a DIRTY key in the same batch) and
   * sealed later with its latest value, so a record seen at every flush is sent once per interval
   * (node/mesh/local-feed.ts sealUpdates); new records are sealed at once either way.
   */
  readonly deferUpdates: boolean
}

export interface ApplyOptions {
  sync?: boolean
  /** more writes for the same atomic batch (a received feed entry and its head) */
  extra?: readonly Write[]
  /** false: do not seal these changes into the local feed (restoring the node's own entries) */
  seal?: boolean
}

export interface ApplyResult {
  /** records (per origin) that did not exist */
  inserted: number
  /** records whose value changed */
  updated: number
  /** updates that changed nothing (a copy already merged) */
  unchanged: number
}

/** present once the DOMAIN index holds every name's registered domain */
const META_DOMAIN_INDEX = 'domain-index'

export class Store {
  readonly dir: string
  readonly #rocks: Rocks
  readonly #readOnly: boolean
  readonly #origins: Origins
  #sealer: FeedSealer | null = null
  /** per origin number: does the sealer own it (asked once per origin) */
  readonly #sealed = new Map<number, boolean>()
  /**
   * The RRSET keys apply() put as new records since open, when the store held no record then: a
   * key the filter never saw is certainly not stored, and apply() need not read it. Null when it
   * cannot tell (records at open, or the filter gave up; see #knownNew).
   */
  #written: KeyFilter | null = null
  /** RRSET puts apply() made, to compare with what went through Rocks */
  #rrsetPuts = 0
  /** the FWD and DOMAIN keys of names the store remembers writing (written-names.ts) */
  readonly #writtenNames: WrittenNames

  private constructor(dir: string, rocks: Rocks, readOnly: boolean) {
    this.dir = dir
    this.#rocks = rocks
    this.#readOnly = readOnly
    this.#writtenNames = new WrittenNames(rocks)
    this.#origins = new Origins(rocks, readOnly)
  }

  /** Opens (or with `create`, creates) the database under `dir/db`. */
  static async open(dir: string, options: StoreOptions = {}): Promise<Store> {
    await checkSchemaMarker(dir)
    const rocks = await Rocks.open(join(dir, 'db'), {
      createIfMissing: options.create ?? false,
      ...(options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize }),
      ...(options.nativeAddon === undefined ? {} : { nativeAddon: options.nativeAddon }),
    })
    const store = new Store(dir, rocks, options.readOnly ?? false)
    try {
      checkSchema(rocks, dir, store.#readOnly)
      store.#origins.load()
      store.#fillDomainIndex()
      if (!store.#readOnly && store.#rocks.first(RRSET_RANGE) === undefined)
        store.#written = new KeyFilter(KNOWN_NEW_MAX_KEYS)
    } catch (err) {
      await rocks.close()
      throw err
    }
    return store
  }

  /** Whether writes and narrow reads go through the store's native addon (see rocks.ts). */
  get nativeAddon(): boolean {
    return this.#rocks.nativeAddon
  }

  /**
   * The database another Store holds open (its `handle`), for writing from another thread (an
   * import's writer thread): no schema check, migration or index fill (the owner did those), the
   * origins as they are now (and again whenever an unknown one turns up). While it writes records,
   * the owner must not: each knows only the records it wrote itself (see #written).
   */
  static async attach(dir: string, handle: bigint): Promise<Store> {
    const rocks = await Rocks.attach(handle)
    const store = new Store(dir, rocks, false)
    store.#origins.share()
    store.#origins.load()
    if (rocks.first(RRSET_RANGE) === undefined) store.#written = new KeyFilter(KNOWN_NEW_MAX_KEYS)
    return store
  }

  /** The database's native handle, for Store.attach in another thread; valid while this Store is open. */
  get handle(): bigint {
    return this.#rocks.handle
  }

  /**
   * The DOMAIN index (registered domains, for `lookalikes`) is kept by apply() for every new name;
   * a database written before it existed gets it here once, from the FWD names, and META
   * "domain-index" says it is complete. A read-only open leaves it as it is (the scan then reads FWD).
   */
  #fillDomainIndex(): void {
    const marker = metaKey(META_DOMAIN_INDEX)
    if (this.#readOnly || this.#rocks.getMany([marker])[0] !== undefined) return
    let batch: Write[] = []
    let last = ''
    for (const [key] of this.#rocks.range(FWD_RANGE, { values: false })) {
      const f = decodeFwdKey(key)
      if (f === null || f.rrname === last) continue
      last = f.rrname
      const d = registeredDomain(f.rrname)
      if (d !== null) batch.push({ put: domainKey(d), value: EMPTY })
      if (batch.length >= MIGRATION_BATCH_SIZE) {
        this.#rocks.write(batch)
        batch = []
      }
    }
    batch.push({ put: marker, value: encodeU32(1) })
    this.#rocks.write(batch, { sync: true })
  }

  /** True when the DOMAIN index covers every name (see #fillDomainIndex). */
  get hasDomainIndex(): boolean {
    return this.#rocks.getMany([metaKey(META_DOMAIN_INDEX)])[0] !== undefined
  }

  /** The number of an origin (vantage) label, registering it on first use. */
  originId(label: string): number {
    return this.#origins.id(label)
  }

  /** Known origin number of a label, without registering it. */
  findOrigin(label: string): number | undefined {
    return this.#origins.find(label)
  }

  originLabel(id: number): string {
    return this.#origins.label(id)
  }

  get origins(): ReadonlyMap<number, string> {
    return this.#origins.all
  }

  /** Every later apply() seals the changes of the origins `sealer` owns into the same batch. */
  setSealer(sealer: FeedSealer | null): void {
    this.#sealer = sealer
    this.#sealed.clear()
  }

  #owned(origin: number): boolean {
    let owned = this.#sealed.get(origin)
    if (owned === undefined) {
      owned = this.#sealer?.owns(this.originLabel(origin)) === true
      this.#sealed.set(origin, owned)
    }
    return owned
  }

  /**
   * Merges updates into the stored records and their indexes in one atomic batch: times widen, the
   * count adds ('add', the local origin) or takes the larger ('max', a copy of another origin's
   * counter). Updates for the same record within one call must already be combined.
   */
  apply(updates: readonly RecordUpdate[], options: ApplyOptions = {}): ApplyResult {
    if (this.#readOnly) throw new PdnsError('ERR_DB_IO', 'cannot write to a store opened read-only')
    const result: ApplyResult = { inserted: 0, updated: 0, unchanged: 0 }
    if (updates.length === 0) {
      if (options.extra !== undefined && options.extra.length > 0) this.#rocks.write(options.extra, options)
      return result
    }
    const sealer = options.seal === false ? null : this.#sealer
    const changed: { id: RecordId; value: RecordValue }[] = []
    for (const u of updates) {
      if (!isStorableValue(u.value)) {
        throw new PdnsError('ERR_BAD_RECORD', `a record value cannot be stored: ${JSON.stringify(u.value)}`)
      }
      if (u.ttl !== undefined && !isStorableTtl(u.ttl)) {
        throw new PdnsError('ERR_BAD_RECORD', `a TTL range cannot be stored: ${JSON.stringify(u.ttl)}`)
      }
    }
    let all = updates.map((u) => recordKeys(u.id))
    ;[updates, all] = combineSameKey(updates, all)
    const n = updates.length
    // One multi-get: the stored values, then the TTL entries of the updates that carry a TTL; a
    // record the store knows is new (see #written) is not read: it has neither.
    const written = this.#knownNew()
    const reads: Buffer[] = []
    const readAt = new Int32Array(n).fill(-1)
    for (let i = 0; i < n; i++) {
      if (written === null || written.mayHave(all[i]!.rrset)) {
        readAt[i] = reads.length
        reads.push(all[i]!.rrset)
      }
    }
    const ttlAt = new Int32Array(n).fill(-1)
    for (let i = 0; i < n; i++) {
      if (updates[i]!.ttl !== undefined && readAt[i]! >= 0) {
        ttlAt[i] = reads.length
        reads.push(ttlKey(all[i]!.rrset))
      }
    }
    const got = this.#rocks.getMany(reads)
    const names = this.#writtenNames
    names.begin()
    const batch = this.#rocks.batch()
    let ok = false
    try {
      for (let i = 0; i < n; i++) {
        const u = updates[i]!
        const keys = all[i]!
        const key = keys.rrset
        const prevRaw = readAt[i]! < 0 ? undefined : got[readAt[i]!]
        const prev = prevRaw === undefined ? null : decodeValue(prevRaw)
        if (prevRaw !== undefined && prev === null) {
          throw new PdnsError('ERR_DB_CORRUPT', 'a stored record value has an unknown format')
        }
        const next = mergeValue(prev, u.value, u.mode)
        const ttl =
          u.ttl === undefined ? null : this.#ttlWrite(key, ttlAt[i]! < 0 ? undefined : got[ttlAt[i]!], u.ttl)
        if (ttl !== null) batch.put(ttl.put, ttl.value)
        if (
          prev !== null &&
          prev.first === next.first &&
          prev.last === next.last &&
          prev.count === next.count
        ) {
          // a TTL alone changed: no record change, so nothing is sealed for the peers (they get no TTL)
          if (ttl !== null) result.updated++
          else result.unchanged++
          continue
        }
        if (sealer !== null && this.#owned(u.id.origin)) {
          if (prev !== null && sealer.deferUpdates) batch.put(dirtyKey(key), EMPTY)
          else changed.push({ id: u.id, value: next })
        }
        const value = encodeValue(next)
        batch.put(key, value)
        this.#rrsetPuts++
        if (keys.rdata !== null) batch.put(keys.rdata, value)
        if (prev === null) {
          result.inserted++
          // before the write: should it fail, the filter only answers "maybe" for a key not stored
          written?.add(key)
          // the FWD and DOMAIN keys of a name are idempotent puts: once per batch, and not again
          // while the store remembers writing them
          names.put(batch, u.id.rrname, u.id.rrtype, keys.fwd)
        } else {
          result.updated++
          if (prev.last !== next.last) batch.del(seenKey(prev.last, key))
          if (prev.first !== next.first) batch.del(firstKey(prev.first, key))
        }
        if (prev === null || prev.last !== next.last) batch.put(seenKey(next.last, key), EMPTY)
        if (prev === null || prev.first !== next.first) batch.put(firstKey(next.first, key), EMPTY)
      }
      const sealed = changed.length > 0 ? sealer!.seal(changed) : null
      if (sealed !== null) for (const w of sealed.writes) putOrDel(batch, w)
      if (options.extra !== undefined) for (const w of options.extra) putOrDel(batch, w)
      batch.write(options)
      ok = true
      sealed?.commit()
    } finally {
      batch.close()
      // what the caches took from this batch holds only once it is written
      if (!ok) names.forget()
    }
    return result
  }

  /**
   * The filter of record keys written since open, when it can tell new records: the store held no
   * record when it opened, every record put since went through apply() (which adds each new one to
   * the filter), and the filter has not given up. Records are never put anywhere else in this
   * file; should anything else put RRSET keys through this Rocks (its put counter says so), the
   * filter is dropped for good and every record is read again. A new record's TTL entry is not
   * read either: TTL entries exist only beside their record (whatever deletes a record deletes
   * its TTL entry with it).
   */
  #knownNew(): KeyFilter | null {
    const w = this.#written
    if (w === null) return null
    if (w.full || this.#rocks.puts[TAG_RRSET] !== this.#rrsetPuts) {
      this.#written = null
      return null
    }
    return w
  }

  /** The write of a record's merged TTL range, or null when the stored one already covers it. */
  #ttlWrite(rrset: Buffer, raw: Buffer | undefined, ttl: TtlRange): { put: Buffer; value: Buffer } | null {
    const old = raw === undefined ? null : decodeTtl(raw)
    if (raw !== undefined && old === null) {
      throw new PdnsError('ERR_DB_CORRUPT', 'a stored TTL value has an unknown format')
    }
    const next = mergeTtl(old, ttl)
    if (old !== null && old.min === next.min && old.max === next.max) return null
    return { put: ttlKey(rrset), value: encodeTtl(next) }
  }

  /** Raw key/value pairs of a key range, in order. */
  range(range: Range, options: RowsOptions = {}): Generator<[Buffer, Buffer]> {
    return this.#rocks.range(range, options)
  }

  /** The same as flat chunks `[key, value, …]` (Rocks.rows), for hot scans. */
  rows(range: Range, options: RowsOptions = {}): Generator<Buffer[]> {
    return this.#rocks.rows(range, options)
  }

  /** Keys of a range as UTF-8 text (Rocks.keyTexts), for hot scans of text keys. */
  keyTexts(range: Range): Generator<string[]> {
    return this.#rocks.keyTexts(range)
  }

  getMany(keys: Uint8Array[]): (Buffer | undefined)[] {
    return this.#rocks.getMany(keys)
  }

  /** A RocksDB property (rocksdb.estimate-num-keys, rocksdb.total-sst-files-size, …). */
  property(name: string): string | null {
    return this.#rocks.property(name)
  }

  get location(): string {
    return this.#rocks.location
  }

  async close(): Promise<void> {
    await this.#rocks.close()
  }
}

const EMPTY = Buffer.alloc(0)

function putOrDel(batch: Batch, w: Write): void {
  if ('put' in w) batch.put(w.put, w.value)
  else batch.del(w.del)
}

/**
 * Updates that land on one key must be merged before the read-modify-write, or the second would
 * overwrite the first. The window already combines by record, but two spellings can share one key
 * (a record text and its UTF-8 bytes), so apply() does not rely on it. Without duplicates (the
 * common case) the inputs come back as they are.
 */
function combineSameKey(
  updates: readonly RecordUpdate[],
  keys: RecordKeys[],
): [readonly RecordUpdate[], RecordKeys[]] {
  const seen = new Map<string, number>()
  let dup = false
  for (let i = 0; i < keys.length && !dup; i++) {
    const k = keys[i]!.rrset.toString('latin1')
    if (seen.has(k)) dup = true
    else seen.set(k, i)
  }
  if (!dup) return [updates, keys]
  seen.clear()
  const outU: RecordUpdate[] = []
  const outK: RecordKeys[] = []
  for (let i = 0; i < updates.length; i++) {
    const u = updates[i]!
    const k = keys[i]!.rrset.toString('latin1')
    const at = seen.get(k)
    if (at === undefined) {
      seen.set(k, outU.length)
      outU.push(u)
      outK.push(keys[i]!)
    } else {
      const prev = outU[at]!
      const merged: RecordUpdate = {
        id: prev.id,
        value: mergeValue(prev.value, u.value, u.mode),
        mode: prev.mode,
      }
      const ttl = u.ttl === undefined ? prev.ttl : mergeTtl(prev.ttl ?? null, u.ttl)
      if (ttl !== undefined) merged.ttl = ttl
      outU[at] = merged
    }
  }
  return [outU, outK]
}
