/**
 * The aggregation window: observations are combined in memory per record before they reach RocksDB,
 * so a name seen a million times between flushes costs one read-modify-write, not a million. The
 * window is written out in batches on an interval, when its memory estimate passes the cap, and on
 * stop. A crash loses at most what arrived since the last flush (one interval).
 */
import { PdnsError } from '../errors.ts'
import type { RecordId } from './keys.ts'
import {
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_WINDOW_MAX_BYTES,
  FLUSH_BATCH_SIZE,
  WINDOW_ENTRY_OVERHEAD,
} from './limits.ts'
import type { ApplyResult, RecordUpdate } from './store.ts'
import type { MergeMode } from './value.ts'

export interface WindowComponents {
  /** writes one batch; the store's apply() */
  apply(updates: readonly RecordUpdate[], options: { sync?: boolean }): ApplyResult
}

export interface WindowOptions {
  /** ms between timed flushes; 0 disables the timer (flush on cap and stop only) */
  flushIntervalMs?: number
  /** memory estimate that triggers a flush, bytes */
  maxBytes?: number
  /** fsync each flush's last batch (the node: true; a bulk import: false until the end) */
  sync?: boolean
  /** called with errors of timed flushes (a flush called directly throws instead) */
  onError?: (err: unknown) => void
}

export interface WindowStats {
  /** entries waiting in memory */
  pending: number
  /** memory estimate of those entries, bytes */
  pendingBytes: number
  flushes: number
  inserted: number
  updated: number
  unchanged: number
}

interface Entry {
  update: RecordUpdate
  bytes: number
}

export class AggregationWindow {
  readonly #components: WindowComponents
  readonly #intervalMs: number
  readonly #maxBytes: number
  readonly #sync: boolean
  readonly #onError: (err: unknown) => void
  #entries = new Map<string, Entry>()
  #bytes = 0
  #timer: NodeJS.Timeout | null = null
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
    this.#onError = options.onError ?? ((err) => process.emitWarning(`window flush failed: ${String(err)}`))
    if (!(this.#maxBytes > 0))
      throw new PdnsError('ERR_BAD_ARGUMENT', 'the window memory cap must be positive')
  }

  start(): void {
    if (this.#timer !== null || this.#intervalMs <= 0) return
    this.#timer = setInterval(() => {
      try {
        this.flush()
      } catch (err) {
        this.#onError(err)
      }
    }, this.#intervalMs)
    this.#timer.unref()
  }

  /** Stops the timer and writes everything still in memory (synced when the window is). */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
    this.flush()
  }

  /**
   * Adds one observation or one copy of a record. `first`/`last` are epoch seconds. Entries for the
   * same record and origin combine: times widen, counts add ('add') or take the larger ('max').
   */
  add(id: RecordId, first: number, last: number, count: number, mode: MergeMode): void {
    this.#insert(id, first, last, count, mode)
    if (this.#bytes >= this.#maxBytes) this.flush()
  }

  #insert(id: RecordId, first: number, last: number, count: number, mode: MergeMode): void {
    const k = windowKey(id)
    const e = this.#entries.get(k)
    if (e !== undefined) {
      const v = e.update.value
      if (first < v.first) v.first = first
      if (last > v.last) v.last = last
      v.count = mode === 'add' ? v.count + count : Math.max(v.count, count)
      return
    }
    // the key string, and about as much again in the record's own strings (2 bytes per character each)
    const bytes = k.length * 4 + WINDOW_ENTRY_OVERHEAD
    this.#entries.set(k, { update: { id, value: { first, last, count }, mode }, bytes })
    this.#bytes += bytes
  }

  /** Writes the window to the store in batches and empties it. */
  flush(): void {
    if (this.#entries.size === 0) return
    const entries = this.#entries
    this.#entries = new Map()
    this.#bytes = 0
    let batch: [string, Entry][] = []
    let left = entries.size
    for (const item of entries) {
      batch.push(item)
      left--
      if (batch.length >= FLUSH_BATCH_SIZE || left === 0) {
        let r: ApplyResult
        try {
          r = this.#components.apply(
            batch.map(([, e]) => e.update),
            { sync: this.#sync && left === 0 },
          )
        } catch (err) {
          // a failed batch is not lost: it and everything after it go back into the window (merged
          // with what arrived meanwhile) for the next flush; entries already written stay written
          this.#requeue(entries)
          throw err
        }
        for (const [k] of batch) entries.delete(k)
        this.#stats.inserted += r.inserted
        this.#stats.updated += r.updated
        this.#stats.unchanged += r.unchanged
        batch = []
      }
    }
    this.#stats.flushes++
  }

  /** Puts entries that were not written back, merged with what arrived meanwhile; no cap check (no re-flush). */
  #requeue(unwritten: Map<string, Entry>): void {
    for (const e of unwritten.values()) {
      const u = e.update
      this.#insert(u.id, u.value.first, u.value.last, u.value.count, u.mode)
    }
  }

  stats(): WindowStats {
    return { ...this.#stats, pending: this.#entries.size, pendingBytes: this.#bytes }
  }
}

/** A string that identifies (record, origin) in the window; cheap to build, unlike the binary key. */
function windowKey(id: RecordId): string {
  return `${id.kind}\u0000${id.rrname}\u0000${id.rrtype}\u0000${id.bailiwick ?? '\u0001'}\u0000${id.origin}\u0000${id.rdata}`
}
