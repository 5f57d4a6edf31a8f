/**
 * The one place that opens the RocksDB binding (@nxtedition/rocksdb, pinned; docs/STORAGE.md says
 * why); its batches (flat-batch.ts, grouped-batch.ts) are the only other code that calls it. It
 * exposes the few operations the store needs, synchronously where the binding is: batched writes,
 * multi-get and chunked range iteration. Binding errors become PdnsErrors here.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { PdnsError } from '../errors.ts'
import type { Batch } from './batch.ts'
import { FlatBatch } from './flat-batch.ts'
import { GroupedBatch, type RawBatch } from './grouped-batch.ts'
import { type NativeAddon, nativeAddon } from './native/index.ts'
import { readFirstRows } from './read-rows.ts'

const require = createRequire(import.meta.url)

interface RawIterator {
  _nextvSync(size: number): { rows: Buffer[]; finished: boolean }
  _closeSync(): void
}

interface RawLevel {
  open(options: Record<string, unknown>): Promise<void>
  close(): Promise<void>
  batch(): RawBatch
  iterator(options: Record<string, unknown>): RawIterator
  _getManySync(keys: Uint8Array[], options: Record<string, unknown>): (Buffer | undefined)[]
  getProperty(name: string): string
  detachResource(resource: unknown): void
  readonly status: string
  /** the native database, for another thread's RocksLevel (only while open) */
  readonly handle: bigint
  readonly location: string
}

type RocksLevelCtor = new (location: string | bigint, options: Record<string, unknown>) => RawLevel

/**
 * The binding's own iterator calls (binding.cc: iterator_init, iterator_nextv_sync, iterator_close),
 * under abstract-level's iterator class. A short lookup (an exact name, a /24) pays for an iterator
 * per call, and abstract-level's class around it (options copied and re-encoded, the iterator
 * registered as a resource, state kept per call) cost about a third of creating one: 10–15 µs of
 * 38–47 µs a lookup with its rows (scripts/bench/api.ts; docs/STORAGE.md). The native side keeps
 * its own list of open iterators and closes them when the database closes, as abstract-level does.
 */
interface NativeIterators {
  iterator_init(db: unknown, options: Record<string, unknown>): unknown
  iterator_nextv_sync(it: unknown, size: number): { rows: Buffer[]; finished: boolean }
  iterator_close(it: unknown): void
}

let nativeIterators: NativeIterators | null | undefined
/** The binding's iterator calls, or null when this binding does not have them (then abstract-level's). */
function loadNativeIterators(): NativeIterators | null {
  if (nativeIterators === undefined) {
    try {
      const b = require('@nxtedition/rocksdb/binding') as Partial<NativeIterators>
      nativeIterators =
        typeof b.iterator_init === 'function' &&
        typeof b.iterator_nextv_sync === 'function' &&
        typeof b.iterator_close === 'function'
          ? (b as NativeIterators)
          : null
    } catch {
      nativeIterators = null
    }
  }
  return nativeIterators
}

/** The native database of a RocksLevel (the binding keeps it under a symbol named 'context'), or null. */
function nativeContext(db: RawLevel): unknown {
  const sym = Object.getOwnPropertySymbols(db).find((s) => s.description === 'context')
  return sym === undefined ? null : ((db as unknown as Record<symbol, unknown>)[sym] ?? null)
}

/** An open range iterator, whichever calls it runs on. */
interface RangeIterator {
  nextv(size: number): { rows: Buffer[]; finished: boolean }
  close(): void
}

let ctor: RocksLevelCtor | null = null
function loadBinding(): RocksLevelCtor {
  if (ctor === null) {
    try {
      ctor = (require('@nxtedition/rocksdb') as { RocksLevel: RocksLevelCtor }).RocksLevel
    } catch (cause) {
      throw new PdnsError(
        'ERR_DB_IO',
        `the RocksDB binding (@nxtedition/rocksdb) does not load on ${process.platform}-${process.arch}: ${(cause as Error).message}`,
        { cause },
      )
    }
  }
  return ctor
}

export interface RocksOptions {
  createIfMissing?: boolean
  /** block cache bytes */
  cacheSize?: number
  /**
   * Range reads on the binding's own iterator calls (default), or on abstract-level's iterator class,
   * which they bypass: the way taken anyway when the binding lacks those calls (tests run both).
   */
  nativeIterators?: boolean
  /**
   * Batches written, and narrow lookups' first entries read, by the store's native addon in one
   * call each (default, when it is built: see native/index.ts), or through the binding's per-key
   * calls and iterators (tests run both).
   */
  nativeAddon?: boolean
}

export interface Range {
  gte?: Uint8Array
  gt?: Uint8Array
  lt?: Uint8Array
  lte?: Uint8Array
  reverse?: boolean
}

export type { Batch } from './batch.ts'

export type Write = { put: Uint8Array; value: Uint8Array } | { del: Uint8Array }

const BUFFERS = { keyEncoding: 'buffer', valueEncoding: 'buffer' }
/**
 * Iterators of the query engine fill the block cache (RocksDB's own default, which the binding turns
 * off for iterators): the blocks of an answer are read again by the next lookups of the same names
 * and neighbours, and a lookup that finds its blocks cached costs about 25 % less CPU than one that
 * reads and decompresses them from the file each time (in-process exact lookups, 84 → 64 µs).
 * Scans of the whole store (check, sync, expiry) do not, so they do not evict what queries use.
 */
export interface RowsOptions {
  values?: boolean
  fillCache?: boolean
}
/** entries fetched by the first call while iterating: an exact lookup or a small page needs few */
const ITERATOR_FIRST_CHUNK = 16
/** entries fetched per call at most; the chunk doubles up to this on long scans */
const ITERATOR_MAX_CHUNK = 1000

export class Rocks {
  readonly location: string
  readonly #db: RawLevel
  /** opened by attach(): the database is another's, which closes it */
  readonly #borrowed: boolean
  /**
   * Keys put and deleted through this object, counted by their first byte (the store's tag): the
   * store's caches of what it wrote see from these whether anything else wrote or deleted keys of
   * a family they cover.
   */
  readonly puts = new Float64Array(256)
  readonly deletes = new Float64Array(256)

  /** the binding's native database, for its iterator calls (null: abstract-level's iterators) */
  readonly #native: unknown
  /** the native addon and this database's handle for it, or null: the binding's own calls only */
  readonly #addon: { addon: NativeAddon; handle: bigint } | null

  private constructor(
    location: string,
    db: RawLevel,
    borrowed = false,
    nativeIterators = true,
    useAddon = true,
  ) {
    this.location = location
    this.#db = db
    this.#borrowed = borrowed
    this.#native = nativeIterators ? nativeContext(db) : null
    this.#addon = useAddon ? withAddon(db) : null
  }

  /** Whether writes and narrow reads go through the store's native addon (RocksOptions.nativeAddon). */
  get nativeAddon(): boolean {
    return this.#addon !== null
  }

  /**
   * The open database of another Rocks (its `handle`), here in another thread: reads and writes go
   * to the same RocksDB, which is thread-safe. close() leaves it open; its owner closes it, after
   * this side is done.
   */
  static async attach(handle: bigint): Promise<Rocks> {
    const Level = loadBinding()
    const db = new Level(handle, BUFFERS)
    // the binding sees the database open already: no RocksDB open, no options
    await db.open({ createIfMissing: false })
    return new Rocks(db.location, db, true)
  }

  /** What attach() takes, in another thread, while this Rocks stays open. */
  get handle(): bigint {
    return this.#db.handle
  }

  static async open(location: string, options: RocksOptions = {}): Promise<Rocks> {
    // checked before RocksDB runs: its failed open would still leave LOCK and LOG files behind
    if (!options.createIfMissing && !existsSync(join(location, 'CURRENT'))) {
      throw new PdnsError('ERR_DB_MISSING', `no database in ${location} (run pdns-mesh import first)`)
    }
    const Level = loadBinding()
    // buffers end to end: abstract-level's default utf8 encoding would mangle binary keys and values
    const db = new Level(location, BUFFERS)
    try {
      await db.open({
        createIfMissing: options.createIfMissing ?? false,
        // ZSTD with a trained dictionary (the binding's default when compression is on)
        compression: true,
        cacheSize: options.cacheSize ?? 64 << 20,
        infoLogLevel: 'warn',
        walCompression: false,
      })
    } catch (err) {
      throw classifyOpenError(location, err)
    }
    return new Rocks(location, db, false, options.nativeIterators ?? true, options.nativeAddon ?? true)
  }

  getMany(keys: Uint8Array[]): (Buffer | undefined)[] {
    if (keys.length === 0) return []
    try {
      return this.#db._getManySync(keys, BUFFERS)
    } catch (cause) {
      throw new PdnsError('ERR_DB_IO', `RocksDB read failed: ${(cause as Error).message}`, { cause })
    }
  }

  /** Applies the writes atomically; `sync` waits for the WAL to reach the disk. */
  write(writes: readonly Write[], options: { sync?: boolean } = {}): void {
    if (writes.length === 0) return
    const batch = this.batch()
    try {
      for (const w of writes) {
        if ('put' in w) batch.put(w.put, w.value)
        else batch.del(w.del)
      }
      batch.write(options)
    } finally {
      batch.close()
    }
  }

  /**
   * A batch to fill with put()/del() and write() at once (atomically), for hot paths that would
   * otherwise build a Write object per key; close() it in any case (finally).
   */
  batch(): Batch {
    const addon = this.#addon
    if (addon !== null) return new FlatBatch(addon.addon, this.#db, addon.handle, this.puts, this.deletes)
    return new GroupedBatch(this.#db, this.puts, this.deletes)
  }

  /** The first key of a range, or undefined when the range is empty. */
  first(range: Range): Buffer | undefined {
    const it = this.#iterator({ ...range, ...BUFFERS, values: false })
    try {
      return it.nextv(1).rows[0]
    } finally {
      it.close()
    }
  }

  /**
   * Key/value pairs of a range in key order (reverse on request), fetched in chunks. The generator
   * must be run to the end or returned (for…of does both) so the native iterator is closed.
   */
  *range(range: Range, options: RowsOptions = {}): Generator<[Buffer, Buffer]> {
    for (const rows of this.rows(range, options)) {
      for (let i = 0; i < rows.length; i += 2) yield [rows[i]!, rows[i + 1]!]
    }
  }

  /**
   * The same entries as flat chunks `[key, value, key, value, …]` straight from the binding: hot
   * scans walk these without a tuple and a generator step per entry.
   */
  *rows(range: Range, options: RowsOptions = {}): Generator<Buffer[]> {
    const addon = this.#addon
    if (addon !== null && options.fillCache === true && options.values !== false && range.reverse !== true) {
      // a narrow lookup: its first entries in one native call, as one buffer; the rest, when there
      // is more, through an iterator from after the last of them
      this.#assertOpen()
      const first = readFirstRows(addon.addon, addon.handle, this.#db, range, ITERATOR_FIRST_CHUNK)
      if (first.rows.length > 0) yield first.rows
      if (first.rest === null) return
      yield* this.#iterate(first.rest, options, ITERATOR_FIRST_CHUNK * 2)
      return
    }
    yield* this.#iterate(range, options, ITERATOR_FIRST_CHUNK)
  }

  *#iterate(range: Range, options: RowsOptions, firstChunk: number): Generator<Buffer[]> {
    const it = this.#iterator({
      ...range,
      ...BUFFERS,
      values: options.values ?? true,
      fillCache: options.fillCache ?? false,
    })
    let chunk = firstChunk
    try {
      for (;;) {
        const { rows, finished } = it.nextv(chunk)
        if (chunk < ITERATOR_MAX_CHUNK) chunk = Math.min(ITERATOR_MAX_CHUNK, chunk * 2)
        if (rows.length > 0) yield rows
        if (finished) return
      }
    } finally {
      it.close()
    }
  }

  /**
   * Refuses a read of a closed database. abstract-level refuses an iterator on one with an error of
   * its own, and the native calls would not refuse it at all: one clear error whichever way reads.
   */
  #assertOpen(): void {
    if (this.#db.status !== 'open') {
      throw new PdnsError('ERR_DB_IO', `the database in ${this.location} is not open (${this.#db.status})`)
    }
  }

  /**
   * Every range read's iterator (rows, first, keyTexts): on the binding's own calls when it has them,
   * else abstract-level's; a closed database is refused the same way on both.
   */
  #iterator(options: Record<string, unknown>): RangeIterator {
    this.#assertOpen()
    const calls = this.#native === null ? null : loadNativeIterators()
    if (calls !== null) {
      let raw: unknown = calls.iterator_init(this.#native, options)
      let finished = false
      return {
        nextv(size) {
          if (finished) return { rows: [], finished: true }
          const r = calls.iterator_nextv_sync(raw, size)
          finished = r.finished
          return r
        },
        close() {
          if (raw !== null) calls.iterator_close(raw)
          raw = null
        },
      }
    }
    const it = this.#db.iterator(options)
    return { nextv: (size) => it._nextvSync(size), close: () => it._closeSync() }
  }

  /**
   * The keys of a range as UTF-8 text, in flat chunks `[key, (empty), key, …]`: for scans of keys
   * that are text after their tag byte (the DOMAIN index), where the binding builds a string about
   * twice as fast as a Buffer.
   */
  *keyTexts(range: Range): Generator<string[]> {
    const it = this.#iterator({ ...range, keyEncoding: 'utf8', valueEncoding: 'buffer', values: false })
    try {
      for (;;) {
        const { rows, finished } = it.nextv(ITERATOR_MAX_CHUNK)
        if (rows.length > 0) yield rows as unknown as string[]
        if (finished) return
      }
    } finally {
      it.close()
    }
  }

  property(name: string): string | null {
    try {
      return this.#db.getProperty(name)
    } catch {
      return null
    }
  }

  async close(): Promise<void> {
    if (!this.#borrowed && this.#db.status === 'open') await this.#db.close()
  }
}

/**
 * The native addon for this open database, when it is built and the binding's handle reads as
 * it expects (native/index.ts); null otherwise: GroupedBatch and the binding's iterators.
 */
function withAddon(db: RawLevel): { addon: NativeAddon; handle: bigint } | null {
  const addon = nativeAddon()
  if (addon === null) return null
  try {
    const handle = db.handle
    return addon.probe(handle, db.location) ? { addon, handle } : null
  } catch {
    return null
  }
}

function classifyOpenError(location: string, err: unknown): PdnsError {
  const cause = (err as { cause?: Error }).cause ?? err
  const msg = (cause as Error).message ?? String(cause)
  if (/lock/i.test(msg) && /LOCK/.test(msg)) {
    return new PdnsError(
      'ERR_DB_LOCKED',
      `the database in ${location} is in use by another process (a running node or another import); ` +
        'stop it, or query the running node instead',
      { cause },
    )
  }
  if (/does not exist|No such file/i.test(msg)) {
    return new PdnsError('ERR_DB_MISSING', `no database in ${location} (run pdns-mesh import first)`, {
      cause,
    })
  }
  return new PdnsError('ERR_DB_IO', `cannot open the database in ${location}: ${msg}`, { cause })
}
