/**
 * This node's own feed: the changes of the origins it speaks for (its peer id, and
 * `<peer id>/<dnstap identity>` for its resolver feeds) sealed into signed entries inside the
 * store's write batch (Store.setSealer). Entries carry each changed record's cumulative value after
 * the merge, so a peer that merges them with 'max' ends with exactly this node's values, whatever
 * it missed or received twice.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import {
  type BlockRecord,
  type EntrySigner,
  encodeSignedEntry,
  SEAL_RECORDS_PER_ENTRY,
  sealEntry,
  type WireKind,
} from '../../protocol/index.ts'
import { successor } from '../store/key-bytes.ts'
import {
  DIRTY_RANGE,
  decodeRrsetKey,
  metaKey,
  type RecordId,
  RRSET_RANGE,
  rrsetOfDirty,
} from '../store/keys.ts'
import type { Write } from '../store/rocks.ts'
import type { FeedSealer, Store } from '../store/store.ts'
import { decodeValue, type RecordValue } from '../store/value.ts'
import type { Feeds, Head } from './feeds.ts'
import { CHECKPOINT_GROWTH, CHECKPOINT_SCAN_BATCH } from './limits.ts'

const KIND_CODE: Record<RecordId['kind'], WireKind> = { rr: 0, nxdomain: 1, nodata: 2 }
const NO_PREV = new Uint8Array(0)
/** META name prefix (then the author) marking that the records written before the feed were sealed. */
const META_BACKFILLED = 'feed-backfilled/'

export interface LocalFeedComponents {
  store: Store
  feeds: Feeds
  /** signs this node's entries (its libp2p key, or node/identity's signer) */
  signer: EntrySigner
}

export interface LocalFeedOptions {
  /**
   * Seal updates of already-sealed records every this many ms (mesh.update_interval), not at every
   * write: a record seen at every flush then costs one record per interval on the wire and on disk.
   * null: seal every change at once (tests, and stores without a running node).
   */
  updateIntervalMs?: number | null
  /**
   * mesh.checkpoint_records: at each update interval, a checkpoint starts once the feed carries at
   * least this many records and CHECKPOINT_GROWTH times what the previous one kept. null: never by
   * itself (checkpoint() still works).
   */
  checkpointRecords?: number | null
  /** hears of each checkpoint that completed or failed (the node logs it) */
  onCheckpoint?: (outcome: CheckpointOutcome) => void
  /** a failure of the timer's sealing (a store error): the marks stay, for the next interval */
  onError?: (err: unknown) => void
}

/** What one checkpoint did. */
export type CheckpointOutcome =
  | {
      status: 'complete'
      /** seq of its first entry */
      base: number
      /** records restated */
      restated: number
      /** entries dropped from the feed (those before base) */
      dropped: number
      ms: number
    }
  | { status: 'stopped' | 'failed'; base: number; restated: number; err?: unknown }

export class LocalFeed implements FeedSealer {
  readonly deferUpdates: boolean
  #updateIntervalMs: number | null
  #timer: NodeJS.Timeout | null = null
  readonly #store: Store
  readonly #feeds: Feeds
  readonly #key: EntrySigner
  readonly #author: string
  readonly #prefix: string
  #checkpointRecords: number | null
  readonly #onCheckpoint: LocalFeedOptions['onCheckpoint']
  readonly #onError: LocalFeedOptions['onError']
  /** the timer's sealing runs (#sealInBackground) */
  #sealing = false
  /** the running checkpoint: its base (entries sealed meanwhile carry it) and its end */
  #checkpoint: { base: number; stop: AbortController; done: Promise<CheckpointOutcome> } | null = null

  constructor(components: LocalFeedComponents, peerId: string, options: LocalFeedOptions = {}) {
    this.#updateIntervalMs = options.updateIntervalMs ?? null
    this.deferUpdates = this.#updateIntervalMs !== null
    this.#store = components.store
    this.#feeds = components.feeds
    this.#key = components.signer
    this.#author = peerId
    this.#prefix = `${peerId}/`
    this.#checkpointRecords = options.checkpointRecords ?? null
    this.#onCheckpoint = options.onCheckpoint
    this.#onError = options.onError
  }

  get author(): string {
    return this.#author
  }

  owns(label: string): boolean {
    return label === this.#author || label.startsWith(this.#prefix)
  }

  /**
   * Seals from now on. A store that holds records of this node's origins but no feed yet (written
   * before the mesh existed) first gets them all sealed, so peers receive its whole history.
   */
  attach(): { backfilled: number } {
    let backfilled = 0
    // the scan reads every record: a store whose records are all other origins' (imports, peers)
    // would otherwise be read through at every start, since no entry (and no head) comes of it
    const done = metaKey(`${META_BACKFILLED}${this.#author}`)
    if (this.#feeds.head(this.#author) === undefined && this.#store.getMany([done])[0] === undefined) {
      let batch: { id: RecordId; value: RecordValue }[] = []
      const flush = () => {
        const s = this.seal(batch)
        this.#store.apply([], { extra: s.writes, sync: true })
        s.commit()
        backfilled += batch.length
        batch = []
      }
      for (const [key, raw] of this.#store.range(RRSET_RANGE)) {
        const id = decodeRrsetKey(key)
        if (id === null || !this.owns(this.#store.originLabel(id.origin))) continue
        const value = decodeValue(raw)
        if (value === null) continue
        batch.push({ id, value })
        if (batch.length >= SEAL_RECORDS_PER_ENTRY * 16) flush()
      }
      if (batch.length > 0) flush()
      this.#store.apply([], { extra: [{ put: done, value: Buffer.alloc(0) }], sync: true })
    }
    this.#store.setSealer(this)
    return { backfilled }
  }

  detach(): void {
    this.#store.setSealer(null)
  }

  /** Seals deferred updates every update interval (and what a crash left marked, at the first one). */
  start(): void {
    if (this.#updateIntervalMs === null || !Number.isFinite(this.#updateIntervalMs) || this.#timer !== null)
      return
    this.#timer = setInterval(() => void this.#sealInBackground(), this.#updateIntervalMs)
    this.#timer.unref()
  }

  /** A new update interval (reload): what is marked is sealed now, then on the new clock. */
  setUpdateInterval(ms: number): void {
    if (!this.deferUpdates) return
    const running = this.#timer !== null
    this.stop()
    this.#updateIntervalMs = ms
    if (running) this.start()
  }

  /** A new mesh.checkpoint_records (reload). */
  setCheckpointRecords(n: number | null): void {
    this.#checkpointRecords = n
  }

  /**
   * Stops the timer and any checkpoint (what it sealed stays: each batch is whole; a later one
   * starts over), and seals what is still marked, so a clean stop leaves nothing behind.
   */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
    this.#checkpoint?.stop.abort()
    this.sealUpdates()
  }

  /**
   * Whether a checkpoint should start: the feed has grown enough since the last one (see
   * checkpointRecords), or one was started and never completed (the node stopped during it: a
   * peer may have jumped onto its first entry, and only a complete one restates what it skipped).
   */
  due(): boolean {
    const min = this.#checkpointRecords
    const head = this.#feeds.head(this.#author)
    if (min === null || head === undefined || this.#checkpoint !== null) return false
    return head.base !== 0 || head.records >= Math.max(min, CHECKPOINT_GROWTH * head.kept)
  }

  /**
   * Restates every record of this node's origins still in the store into new entries, the last one
   * marked complete; sealing it drops the feed's entries before the checkpoint's first (in the same
   * batch), and every peer holding this feed drops them when it applies that entry. The store is
   * read CHECKPOINT_SCAN_BATCH records per event-loop turn; entries sealed meanwhile (new records,
   * updates) belong to the checkpoint too, so a record written during it is carried either way.
   * One at a time: a call while one runs gets its outcome.
   */
  checkpoint(opts: { signal?: AbortSignal } = {}): Promise<CheckpointOutcome> {
    if (this.#checkpoint !== null) return this.#checkpoint.done
    const stop = new AbortController()
    const base = (this.#feeds.head(this.#author)?.seq ?? 0) + 1
    const signal = opts.signal === undefined ? stop.signal : AbortSignal.any([stop.signal, opts.signal])
    const run = { base, stop, done: this.#restate(base, signal) }
    this.#checkpoint = run
    return run.done
  }

  async #restate(base: number, signal: AbortSignal): Promise<CheckpointOutcome> {
    const started = performance.now()
    let restated = 0
    let outcome: CheckpointOutcome
    try {
      let from: Uint8Array = RRSET_RANGE.gte
      for (;;) {
        // the first turn too: the caller's synchronous code (a flush) runs before anything is read
        await nextTurn()
        if (signal.aborted) {
          outcome = { status: 'stopped', base, restated }
          break
        }
        const batch: { id: RecordId; value: RecordValue }[] = []
        let read = 0
        let last: Buffer | null = null
        scan: for (const rows of this.#store.rows({ gte: Buffer.from(from), lt: RRSET_RANGE.lt })) {
          for (let i = 0; i < rows.length; i += 2) {
            last = rows[i]!
            const id = decodeRrsetKey(last)
            if (id !== null && this.owns(this.#store.originLabel(id.origin))) {
              const value = decodeValue(rows[i + 1]!)
              if (value !== null) batch.push({ id, value })
            }
            if (++read >= CHECKPOINT_SCAN_BATCH) break scan
          }
        }
        const end = read < CHECKPOINT_SCAN_BATCH
        let dropped = 0
        if (batch.length > 0 || end) {
          const s = this.seal(batch, { complete: end })
          this.#store.apply([], { extra: s.writes, sync: end })
          s.commit()
          restated += batch.length
          dropped = s.dropped
        }
        if (end) {
          outcome = { status: 'complete', base, restated, dropped, ms: performance.now() - started }
          break
        }
        from = successor(last!)
      }
    } catch (err) {
      outcome = { status: 'failed', base, restated, err }
    } finally {
      this.#checkpoint = null
    }
    this.#onCheckpoint?.(outcome)
    return outcome
  }

  /**
   * Seals every record marked DIRTY with its current value, and unmarks it, in one batch per
   * SEAL_RECORDS_PER_ENTRY × 16 records, all now (a stop, tests). The node's timer seals them a
   * batch of SEAL_RECORDS_PER_ENTRY per event-loop turn instead (#sealInBackground).
   */
  sealUpdates(): number {
    let n = 0
    for (;;) {
      const batch = this.#sealBatch(SEAL_RECORDS_PER_ENTRY * 16)
      if (batch === null) return n
      n += batch
    }
  }

  /**
   * One batch of marked records sealed and unmarked; how many were sealed, or null when none was
   * marked. Synchronous: no write of the window can come in between the read of a value and the
   * batch that seals it.
   */
  #sealBatch(max: number): number | null {
    const marks: Buffer[] = []
    for (const [key] of this.#store.range(DIRTY_RANGE, { values: false })) {
      marks.push(key)
      if (marks.length >= max) break
    }
    if (marks.length === 0) return null
    const rrsets = marks.map(rrsetOfDirty)
    const values = this.#store.getMany(rrsets)
    const changed: { id: RecordId; value: RecordValue }[] = []
    for (let i = 0; i < marks.length; i++) {
      const id = decodeRrsetKey(rrsets[i]!)
      const raw = values[i]
      const value = raw === undefined ? null : decodeValue(raw)
      if (id !== null && value !== null) changed.push({ id, value })
    }
    const s = this.seal(changed)
    const writes = [...s.writes, ...marks.map((del) => ({ del }))]
    this.#store.apply([], { extra: writes, sync: true })
    s.commit()
    return changed.length
  }

  /**
   * The timer's work: the marked updates, one entry's worth per event-loop turn (a node with a
   * million updated records would otherwise stop capture, dnstap and the API for seconds), then a
   * checkpoint if one is due. One run at a time; stop() ends it at its next turn.
   */
  async #sealInBackground(): Promise<void> {
    if (this.#sealing) return
    this.#sealing = true
    try {
      while (this.#timer !== null && this.#sealBatch(SEAL_RECORDS_PER_ENTRY) !== null) await nextTurn()
      if (this.#timer !== null && this.due()) void this.checkpoint()
    } catch (err) {
      this.#onError?.(err)
    } finally {
      this.#sealing = false
    }
  }

  /**
   * Seals records into entries (SEAL_RECORDS_PER_ENTRY each) after the head, returning their writes
   * for the caller's batch and what to do once it is written. While a checkpoint runs, each entry
   * carries its base; `complete` marks the last one (sealed even with no records) as its end, whose
   * writes delete the entries before the checkpoint (`dropped` of them).
   */
  seal(
    changed: readonly { id: RecordId; value: RecordValue }[],
    opts: { complete?: boolean } = {},
  ): { writes: Write[]; dropped: number; commit(): void } {
    const records = changed.map(({ id, value }) => this.#record(id, value))
    const writes: Write[] = []
    const heads: Head[] = []
    let current = this.#feeds.head(this.#author)
    let seq = current?.seq ?? 0
    let prev: Uint8Array = current?.hash ?? NO_PREV
    const time = Math.floor(Date.now() / 1000)
    const base = this.#checkpoint?.base ?? 0
    const complete = opts.complete === true && base !== 0
    let dropped = 0
    let i = 0
    let size = SEAL_RECORDS_PER_ENTRY
    while (i < records.length || (complete && heads.length === 0)) {
      const chunk = records.slice(i, i + size)
      const mark = { base, complete: complete && i + chunk.length >= records.length }
      let sealed: ReturnType<typeof sealEntry>
      try {
        sealed = sealEntry(this.#key, this.#author, seq + 1, prev, time, chunk, mark)
      } catch (err) {
        // an entry over MAX_ENTRY_BYTES (huge TXT rdata): seal fewer records per entry
        if (err instanceof RangeError && size > 1) {
          size = Math.max(1, size >> 1)
          continue
        }
        throw err
      }
      seq++
      const encoded = encodeSignedEntry(sealed.signed)
      const w = this.#feeds.entryWrites(current, this.#author, seq, encoded, sealed.hash, chunk.length, mark)
      for (const x of w.writes) writes.push(x)
      dropped += w.dropped
      heads.push(w.head)
      current = w.head
      prev = sealed.hash
      i += chunk.length
      size = SEAL_RECORDS_PER_ENTRY
    }
    return {
      writes,
      dropped,
      commit: () => {
        for (const h of heads) this.#feeds.committed(h)
      },
    }
  }

  #record(id: RecordId, value: RecordValue): BlockRecord {
    const label = this.#store.originLabel(id.origin)
    return {
      label: label === this.#author ? '' : label.slice(this.#prefix.length),
      kind: KIND_CODE[id.kind],
      rrtype: id.rrtype,
      rrname: id.rrname,
      bailiwick: id.bailiwick,
      rdata: id.rdata,
      first: value.first,
      last: value.last,
      count: value.count,
    }
  }
}
