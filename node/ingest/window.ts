/**
 * The aggregation window: observations are combined in memory per record before they reach RocksDB,
 * so a name seen a million times between flushes costs one read-modify-write, not a million. The
 * window is written out in batches on an interval, when its memory estimate passes the cap, and on
 * stop. A crash loses at most what arrived since the last flush (one interval).
 *
 * Two ways to flush:
 * - synchronous (import, `flush()`, `stop()`): the whole window, batch after batch, before returning;
 * - in the background (`background: true`, the node, for timed and cap flushes): the window's entries
 *   are set aside as "flushing" and written one batch per event-loop turn (setImmediate), so the
 *   capture ring, the dnstap sockets and the control socket are read between batches. New
 *   observations go into a fresh map meanwhile; a record may then sit in both, which is harmless
 *   because `Store.apply` merges read-modify-write (first = min, last = max, count adds or takes the
 *   larger): writing the flushing entry and later the fresh one stores what one combined entry would.
 *
 * Memory in the background mode stays within the cap, not twice it: a background flush starts when
 * the fresh entries reach half the cap, which leaves the other half for what arrives while it runs;
 * the estimate counts fresh and still-unwritten flushing entries together, and if that sum reaches
 * the cap (the store writes slower than new records arrive) `add()` finishes the running flush
 * synchronously — blocking the event loop is better than unbounded memory — then starts the next.
 * The price is windows about half as large as the cap, so a repeated name is written up to twice as
 * often as a synchronous window of the same cap would write it.
 */
import { PdnsError } from '../errors.ts'
import type { RecordId } from '../store/keys.ts'
import type { ApplyResult, RecordUpdate } from '../store/store.ts'
import type { TtlRange } from '../store/ttl.ts'
import type { MergeMode } from '../store/value.ts'
import {
  BACKGROUND_FLUSH_BATCH_SIZE,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_WINDOW_MAX_BYTES,
  FLUSH_BATCH_SIZE,
  WINDOW_ENTRY_OVERHEAD,
} from './limits.ts'
import { Entries, type Entry } from './window-entries.ts'

export interface WindowComponents {
  /** writes one batch; the store's apply() */
  apply(updates: readonly RecordUpdate[], options: { sync?: boolean }): ApplyResult
  /**
   * A writer that writes later than apply() returns (an import's writer thread, store-writer.ts):
   * stop() calls this after its flush; it returns once everything handed over is written, with the
   * totals of all of it (apply() returned none).
   */
  drain?(): ApplyResult
  /** how many more records such a writer takes before it has a backlog (handOverIdleMs); unlimited when absent */
  room?(): number
}

export interface WindowOptions {
  /** ms between timed flushes; 0 disables the timer (flush on cap and stop only) */
  flushIntervalMs?: number
  /**
   * memory estimate cap, bytes. Synchronous mode: reaching it flushes the whole window at once.
   * Background mode: a background flush starts at half of it, and fresh plus still-flushing entries
   * stay under it after each `add()` (reaching it finishes the running flush synchronously) — unless
   * the store fails, when unwritten entries go back into the window whatever its size, as in both modes.
   */
  maxBytes?: number
  /** fsync each flush's last batch (the node: true; a bulk import: false until the end) */
  sync?: boolean
  /**
   * between start() and stop(), write timed and cap-triggered flushes one batch per event-loop turn
   * instead of all at once (the node); `flush()` and `stop()` stay synchronous either way
   */
  background?: boolean
  /** records per write batch; default FLUSH_BATCH_SIZE, or BACKGROUND_FLUSH_BATCH_SIZE in the background mode */
  batchSize?: number
  /**
   * between start() and stop() in the synchronous mode: hand entries nobody added to for this long
   * (ms) to the store before the next flush, in batches, unsynced, as much as the components have
   * room for (an import with a writer thread: records seen once are written while the input is
   * still read, by a writer that would otherwise wait for the next flush). Records seen again stay
   * and combine as before. 0 (the default): off.
   */
  handOverIdleMs?: number
  /**
   * called with errors of flushes nobody waits for: timed ones, and in the background mode the
   * cap-triggered ones too (a flush called directly, `stop()`, and a synchronous window's cap flush
   * inside `add()` throw instead)
   */
  onError?: (err: unknown) => void
}

export interface WindowStats {
  /** entries waiting in memory: fresh ones and those of a background flush not yet written */
  pending: number
  /** memory estimate of those entries, bytes */
  pendingBytes: number
  /** completed flushes; once it counts a flush, that flush's records are written (fsynced with `sync`) */
  flushes: number
  inserted: number
  updated: number
  unchanged: number
}

/** A flush in progress: its entries, where the next batch starts, and the estimate of those not yet written. */
interface Flushing {
  /** the entries set aside, their index kept for holds() */
  entries: Entries
  list: Entry[]
  pos: number
  bytes: number
}

export class AggregationWindow {
  readonly #components: WindowComponents
  readonly #intervalMs: number
  readonly #maxBytes: number
  readonly #sync: boolean
  readonly #background: boolean
  readonly #batchSize: number
  readonly #onError: (err: unknown) => void
  readonly #idleMs: number
  /** the idle sweep's current period, and when it ends (performance.now()) */
  #period = 0
  #periodEnds = 0
  /** totals of a writer that writes later than apply() returns (its drain()) */
  #drained: ApplyResult = { inserted: 0, updated: 0, unchanged: 0 }
  /** what arrives now (and, in the synchronous mode, everything pending) */
  #entries = new Entries()
  /** the flush being written (only one at a time); in the background between turns, else only inside a call */
  #flushing: Flushing | null = null
  #immediate: NodeJS.Immediate | null = null
  /**
   * a background flush failed: no new one starts at half the cap until the timer's next tick (or a
   * flush succeeds), so a broken store is retried once per interval, not on every event-loop turn;
   * the cap itself still forces a (synchronous) retry, as memory must stay bounded
   */
  #held = false
  #timer: NodeJS.Timeout | null = null
  /** between start() and stop(): background flushes may run */
  #started = false
  readonly #stats: WindowStats = {
    pending: 0,
    pendingBytes: 0,
    flushes: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
  }

  constructor(components: WindowComponents, options: WindowOptions = {}) {
    this.#components = components
    this.#intervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS
    this.#maxBytes = options.maxBytes ?? DEFAULT_WINDOW_MAX_BYTES
    this.#sync = options.sync ?? false
    this.#background = options.background ?? false
    this.#batchSize = options.batchSize ?? (this.#background ? BACKGROUND_FLUSH_BATCH_SIZE : FLUSH_BATCH_SIZE)
    this.#onError = options.onError ?? ((err) => process.emitWarning(`window flush failed: ${String(err)}`))
    this.#idleMs = this.#background ? 0 : (options.handOverIdleMs ?? 0)
    if (!(this.#maxBytes > 0))
      throw new PdnsError('ERR_BAD_ARGUMENT', 'the window memory cap must be positive')
    if (!Number.isSafeInteger(this.#batchSize) || this.#batchSize < 1)
      throw new PdnsError('ERR_BAD_ARGUMENT', 'the window batch size must be a positive integer')
  }

  /** Starts the timer; in the background mode, flushes run in the background from now on until stop(). */
  start(): void {
    this.#started = true
    this.#periodEnds = performance.now() + this.#idleMs
    if (this.#timer !== null || this.#intervalMs <= 0) return
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs)
    this.#timer.unref()
  }

  /**
   * Stops the timer and writes everything still in memory, a background flush in progress first
   * (synced when the window is). Synchronous: when it returns, everything is written.
   */
  stop(): void {
    // after stop (the store may be closed next) nothing is written behind the caller's back: a cap
    // reached by late adds flushes synchronously, as before start()
    this.#started = false
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
    this.flush()
    if (this.#components.drain !== undefined) this.#drained = this.#components.drain()
  }

  /**
   * Adds one observation or one copy of a record. `first`/`last` are epoch seconds. Entries for the
   * same record and origin combine: times widen, counts add ('add') or take the larger ('max'),
   * TTL ranges widen (`ttl`: the node's own observations; copies carry none).
   */
  add(id: RecordId, first: number, last: number, count: number, mode: MergeMode, ttl?: TtlRange): void {
    const created = this.#insert(id, first, last, count, mode, ttl)
    if (!(this.#background && this.#started)) {
      if (this.#entries.bytes >= this.#maxBytes) this.flush()
      // a clock read per new entry only (a record seen again costs none)
      else if (created && this.#idleMs > 0 && this.#started && performance.now() >= this.#periodEnds)
        this.#handOverIdle()
      return
    }
    if (this.#entries.bytes + (this.#flushing?.bytes ?? 0) >= this.#maxBytes) {
      // the store falls behind: block on the running flush rather than let memory grow
      try {
        this.#finishFlushing()
        // the running flush was nearly done and the fresh entries alone fill the cap (or a failed
        // flush put its entries back): write them now too
        if (this.#entries.bytes >= this.#maxBytes) this.#flushEntries()
      } catch (err) {
        this.#held = true
        this.#onError(err)
        return
      }
    }
    if (this.#flushing === null && !this.#held && this.#entries.bytes >= this.#maxBytes / 2)
      this.#startBackground()
  }

  /**
   * The hot path of a record seen again: combines the observation with the record's pending entry
   * and returns true, or returns false and does nothing when the window holds no entry for it (then
   * `add()` it). `id` is only read, never kept, so a caller may reuse one object for every probe;
   * `ttlMin` < 0 means no TTL. Memory does not grow, so no flush can be due.
   */
  merge(
    id: RecordId,
    first: number,
    last: number,
    count: number,
    mode: MergeMode,
    ttlMin = -1,
    ttlMax = -1,
  ): boolean {
    const e = this.#entries.find(id)
    if (e === undefined) return false
    combine(e.update, first, last, count, mode, ttlMin, ttlMax)
    e.touched = this.#period
    return true
  }

  /**
   * Ends the idle sweep's period: entries nobody added to since it began go to the store now, the
   * oldest first, in batches, as many as the components have room for; the rest stay. Only room:
   * handing over costs aggregation (a record seen again later is written again), worth it while
   * the writer would otherwise wait. On a store error the entries taken go back, and the error is
   * thrown.
   */
  #handOverIdle(): void {
    const period = this.#period
    this.#period++
    this.#periodEnds = performance.now() + this.#idleMs
    const room = this.#components.room?.() ?? Number.POSITIVE_INFINITY
    if (room <= 0) return
    const idle = this.#entries.takeOut((e) => e.touched >= period, room)
    for (let i = 0; i < idle.length; i += this.#batchSize) {
      const part = idle.slice(i, i + this.#batchSize)
      let r: ApplyResult
      try {
        r = this.#components.apply(
          part.map((e) => e.update),
          { sync: false },
        )
      } catch (err) {
        this.#requeue(idle, i)
        throw err
      }
      this.#stats.inserted += r.inserted
      this.#stats.updated += r.updated
      this.#stats.unchanged += r.unchanged
    }
  }

  #insert(
    id: RecordId,
    first: number,
    last: number,
    count: number,
    mode: MergeMode,
    ttl: TtlRange | undefined,
  ): boolean {
    const e = this.#entries.find(id)
    if (e !== undefined) {
      combine(e.update, first, last, count, mode, ttl?.min ?? -1, ttl?.max ?? -1)
      e.touched = this.#period
      return false
    }
    const bytes = entryBytes(id)
    const update: RecordUpdate = { id, value: { first, last, count }, mode }
    if (ttl !== undefined) update.ttl = { min: ttl.min, max: ttl.max }
    this.#entries.push({ update, bytes, next: null, touched: this.#period, written: false })
    return true
  }

  /**
   * Writes the window to the store in batches and empties it, synchronously: a background flush in
   * progress is finished first, then what arrived meanwhile is written. Throws on a store error (the
   * unwritten entries stay in the window).
   */
  flush(): void {
    this.#finishFlushing()
    this.#flushEntries()
  }

  /**
   * Writes everything in memory one batch per event-loop turn and resolves once it is written (what
   * arrives meanwhile too); rejects with the store's error (the unwritten entries stay in the window).
   * For a window that ends while its process runs on (an import inside the node): `stop()` would
   * write it in one stretch and hold capture and the control socket meanwhile.
   */
  async drain(): Promise<void> {
    // this loop writes the batches now, not #step
    if (this.#immediate !== null) clearImmediate(this.#immediate)
    this.#immediate = null
    for (;;) {
      if (this.#flushing === null) {
        if (this.#entries.size === 0) return
        this.#takeEntries()
      }
      await new Promise<void>((resolve) => setImmediate(resolve))
      if (this.#flushing !== null) this.#writeBatch()
    }
  }

  #tick(): void {
    // one flush at a time: a tick while a background flush runs leaves it alone
    if (this.#flushing !== null) return
    this.#held = false
    if (this.#background) {
      this.#startBackground()
      return
    }
    try {
      this.flush()
    } catch (err) {
      this.#onError(err)
    }
  }

  /** Sets the fresh entries aside as a flush in progress (none may be running). */
  #takeEntries(): Flushing {
    const entries = this.#entries
    const f: Flushing = { entries, list: entries.list, pos: 0, bytes: entries.bytes }
    this.#entries = new Entries()
    this.#flushing = f
    return f
  }

  /** Writes the fresh entries synchronously (no flush may be running). */
  #flushEntries(): void {
    if (this.#entries.size === 0) return
    this.#takeEntries()
    this.#finishFlushing()
  }

  #startBackground(): void {
    if (this.#entries.size === 0) return
    this.#takeEntries()
    this.#immediate = setImmediate(this.#step)
  }

  /** One background batch per event-loop turn; errors go to onError (nobody awaits this). */
  readonly #step = (): void => {
    this.#immediate = null
    if (this.#flushing === null) return
    try {
      if (!this.#writeBatch()) this.#immediate = setImmediate(this.#step)
    } catch (err) {
      this.#held = true
      this.#onError(err)
    }
  }

  /** Writes the rest of the running flush, if any, before returning. */
  #finishFlushing(): void {
    if (this.#immediate !== null) clearImmediate(this.#immediate)
    this.#immediate = null
    while (this.#flushing !== null) this.#writeBatch()
  }

  /**
   * Writes the running flush's next batch; true when that completed the flush. On a store error the
   * batch and everything after it go back into the fresh entries (merged with what arrived
   * meanwhile) for the next flush — entries already written stay written — and the error is thrown.
   */
  #writeBatch(): boolean {
    const f = this.#flushing!
    const end = Math.min(f.list.length, f.pos + this.#batchSize)
    const updates: RecordUpdate[] = []
    let bytes = 0
    for (let i = f.pos; i < end; i++) {
      const e = f.list[i]!
      updates.push(e.update)
      bytes += e.bytes
    }
    const last = end === f.list.length
    let r: ApplyResult
    try {
      r = this.#components.apply(updates, { sync: this.#sync && last })
    } catch (err) {
      this.#flushing = null
      this.#requeue(f.list, f.pos)
      throw err
    }
    // written entries leave the list at once (it is not shortened: each batch would copy the rest);
    // the flush's index, which holds() reads, keeps them until the flush ends, marked written
    for (let i = f.pos; i < end; i++) {
      f.list[i]!.written = true
      f.list[i] = RELEASED
    }
    f.pos = end
    f.bytes -= bytes
    this.#stats.inserted += r.inserted
    this.#stats.updated += r.updated
    this.#stats.unchanged += r.unchanged
    if (!last) return false
    this.#flushing = null
    this.#held = false
    this.#stats.flushes++
    return true
  }

  /** Puts entries that were not written back, merged with what arrived meanwhile; no cap check (no re-flush). */
  #requeue(list: Entry[], from: number): void {
    for (let i = from; i < list.length; i++) {
      const u = list[i]!.update
      this.#insert(u.id, u.value.first, u.value.last, u.value.count, u.mode, u.ttl)
    }
  }

  /**
   * Whether a sighting of this record waits to be written (fresh, or in a flush not yet written):
   * retention keeps such a record, whose last_seen the flush is about to move (node/store/expiry.ts).
   */
  holds(id: RecordId): boolean {
    if (this.#entries.find(id) !== undefined) return true
    const e = this.#flushing?.entries.find(id)
    return e !== undefined && !e.written
  }

  stats(): WindowStats {
    const f = this.#flushing
    const d = this.#drained
    return {
      ...this.#stats,
      inserted: this.#stats.inserted + d.inserted,
      updated: this.#stats.updated + d.updated,
      unchanged: this.#stats.unchanged + d.unchanged,
      pending: this.#entries.size + (f === null ? 0 : f.list.length - f.pos),
      pendingBytes: this.#entries.bytes + (f?.bytes ?? 0),
    }
  }
}

function combine(
  u: RecordUpdate,
  first: number,
  last: number,
  count: number,
  mode: MergeMode,
  ttlMin: number,
  ttlMax: number,
): void {
  const v = u.value
  if (first < v.first) v.first = first
  if (last > v.last) v.last = last
  v.count = mode === 'add' ? v.count + count : Math.max(v.count, count)
  if (ttlMin >= 0) {
    const t = u.ttl
    if (t === undefined) u.ttl = { min: ttlMin, max: ttlMax }
    else {
      if (ttlMin < t.min) t.min = ttlMin
      if (ttlMax > t.max) t.max = ttlMax
    }
  }
}

/**
 * The memory estimate of an entry: 4 bytes per character of its identity's text (the record's own
 * strings and what the index holds of them), plus WINDOW_ENTRY_OVERHEAD.
 */
function entryBytes(id: RecordId): number {
  const text = id.kind.length + id.rrname.length + (id.bailiwick?.length ?? 1) + id.rdata.length + 16
  return text * 4 + WINDOW_ENTRY_OVERHEAD
}

/** Stands in for a written entry in a flush's list, so the entry itself can be collected. */
const RELEASED: Entry = {
  update: {
    id: { kind: 'rr', rrname: '', rrtype: 0, bailiwick: null, rdata: '', origin: 0 },
    value: { first: 0, last: 0, count: 1 },
    mode: 'add',
  },
  bytes: 0,
  next: null,
  touched: 0,
  written: true,
}
