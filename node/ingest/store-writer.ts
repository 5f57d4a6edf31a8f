/**
 * The store's writes in a thread of their own, for an import: this thread reads and parses the
 * input and keeps the aggregation window; the writer thread (store-writer-thread.ts) merges the
 * window's batches into the store, and seals the node's own records into its feed, meanwhile. On
 * two cores the two overlap instead of taking turns.
 *
 * The writer is the window's `apply` (WindowComponents): each batch is encoded into one flat
 * buffer (update-codec.ts) and transferred; apply() returns at once. Batches are written in the
 * order they were handed over, each atomically, the last of each flush synced, exactly as apply()
 * would have written them here. At most `maxPendingRecords` records are handed over and not yet
 * written: beyond that apply() waits (Atomics.wait) for the writer, so memory stays bounded and a
 * crash loses no more than one flush interval plus that backlog.
 *
 * Everything is synchronous from this side, like Store.apply: waits block the thread (a file
 * import has nothing else to do meanwhile), errors of the writer are thrown by the next apply() or
 * drain(). drain() (the window's stop()) waits until everything is written and the writer is done.
 *
 * The thread can be started before the store is open (prepare(), then attach()): loading its
 * modules takes a few hundred ms, which then overlap with the caller's own start instead of
 * following it.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads'
import { PdnsError } from '../errors.ts'
import type { ApplyResult, RecordUpdate, Store } from '../store/store.ts'
import { WRITER_FED_RECORDS, WRITER_MAX_PENDING_RECORDS } from './limits.ts'
import { encodeUpdates } from './update-codec.ts'
import type { WindowComponents } from './window.ts'

/** Int32 slots shared with the thread */
export const STATE = 0
export const BATCHES_DONE = 1
/** Float64 slots: totals of the batches written */
export const INSERTED = 0
export const UPDATED = 1
export const UNCHANGED = 2
export const RECORDS_DONE = 3

export const RUNNING = 0
export const FINISHED = 1
export const FAILED = 2

/** How often a wait looks at the writer's progress (and calls onWait), ms. */
const WAIT_SLICE_MS = 100

export interface StoreWriterOptions {
  /** seal the records of this node's origins into its feed, as LocalFeed does (an import: true) */
  seal: boolean
  /** records handed over and not yet written, at most (default WRITER_MAX_PENDING_RECORDS) */
  maxPendingRecords?: number
}

/** What the main thread sends the writer thread: `attach` first, once. */
export type WriterMessage =
  | { type: 'attach'; dataDir: string; handle: bigint }
  | { type: 'batch'; buf: Uint8Array; sync: boolean }
  | { type: 'finish' }

/** What the writer thread sends back, on the port (read synchronously with receiveMessageOnPort). */
export type WriterReply = { type: 'error'; code: string | null; message: string }

export interface WriterData {
  seal: boolean
  state: SharedArrayBuffer
  totals: SharedArrayBuffer
  /** where the thread reports its error (this side reads it synchronously) */
  replies: MessagePort
}

export class StoreWriter implements WindowComponents {
  readonly #worker: Worker
  readonly #replies: MessagePort
  readonly #state: Int32Array
  readonly #totals: Float64Array
  readonly #maxPending: number
  /** records of each batch handed over, in order; those of batches done are dropped from the front */
  readonly #pending: number[] = []
  #pendingRecords = 0
  #batchesSeen = 0
  #handed = 0
  #finished = false
  #attached = false
  #error: PdnsError | null = null
  readonly #exited: Promise<void>
  /** when the wait in progress began (performance.now()), or null */
  #waitingSince: number | null = null
  /**
   * Called about every 100 ms while this thread waits for the writer (a full backlog, drain()):
   * records written and handed over so far, and how long this wait has lasted (ms). The import
   * draws its progress line from it.
   */
  onWait: ((written: number, handed: number, waitedMs: number) => void) | null = null

  private constructor(
    worker: Worker,
    replies: MessagePort,
    state: SharedArrayBuffer,
    totals: SharedArrayBuffer,
    maxPending: number,
  ) {
    this.#worker = worker
    this.#replies = replies
    this.#state = new Int32Array(state)
    this.#totals = new Float64Array(totals)
    this.#maxPending = maxPending
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()))
    // an error the thread could not report itself (it failed to start): surfaced by the next call
    worker.on('error', (err) => {
      this.#error ??= new PdnsError('ERR_DB_IO', `the store's writer thread failed: ${err.message}`, {
        cause: err,
      })
      Atomics.store(this.#state, STATE, FAILED)
    })
  }

  /** Starts the writer thread on the store's open database (of `dataDir`). */
  static start(store: Store, options: StoreWriterOptions & { dataDir: string }): StoreWriter {
    const writer = StoreWriter.prepare(options)
    writer.attach(store, options.dataDir)
    return writer
  }

  /**
   * Starts the writer thread before there is a store to write: it loads what it needs meanwhile.
   * attach() gives it the store; close() ends it, attached or not.
   */
  static prepare(options: StoreWriterOptions): StoreWriter {
    const state = new SharedArrayBuffer(8)
    const totals = new SharedArrayBuffer(4 * 8)
    const { port1, port2 } = new MessageChannel()
    const data: WriterData = { seal: options.seal, state, totals, replies: port2 }
    // the sources run as TypeScript, the package as JavaScript built from them (dist/)
    const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js'
    const worker = new Worker(new URL(`./store-writer-thread.${ext}`, import.meta.url), {
      workerData: data,
      transferList: [port2],
    })
    return new StoreWriter(
      worker,
      port1,
      state,
      totals,
      options.maxPendingRecords ?? WRITER_MAX_PENDING_RECORDS,
    )
  }

  /**
   * Gives the thread the open store of `dataDir` (its identity, when it seals, must exist by now).
   * The store must stay open until close() has returned.
   */
  attach(store: Store, dataDir: string): void {
    if (this.#attached) throw new Error('StoreWriter: attached twice')
    this.#attached = true
    this.#worker.postMessage({ type: 'attach', dataDir, handle: store.handle } satisfies WriterMessage)
  }

  /** Hands a batch to the writer; waits first while the backlog is full. The result comes with drain(). */
  apply(updates: readonly RecordUpdate[], options: { sync?: boolean }): ApplyResult {
    this.#check()
    if (!this.#attached) throw new Error('StoreWriter: apply() before attach()')
    if (this.#finished) throw new PdnsError('ERR_DB_IO', "the store's writer has finished")
    if (updates.length > 0) {
      while (this.#pendingRecords > 0 && this.#pendingRecords + updates.length > this.#maxPending)
        this.#waitOnce()
      this.#waitingSince = null
      const buf = encodeUpdates(updates)
      const msg: WriterMessage = { type: 'batch', buf, sync: options.sync === true }
      this.#worker.postMessage(msg, [buf.buffer as ArrayBuffer])
      this.#pending.push(updates.length)
      this.#pendingRecords += updates.length
      this.#handed += updates.length
    }
    return { inserted: 0, updated: 0, unchanged: 0 }
  }

  /**
   * Waits until every batch is written and the writer has finished (sealed what it deferred), and
   * returns the totals of everything it wrote. Throws the writer's error, if it had one.
   */
  drain(): ApplyResult {
    this.#check()
    if (!this.#attached) throw new Error('StoreWriter: drain() before attach()')
    if (!this.#finished) {
      this.#finished = true
      this.#worker.postMessage({ type: 'finish' } satisfies WriterMessage)
    }
    while (Atomics.load(this.#state, STATE) === RUNNING) this.#waitOnce()
    this.#waitingSince = null
    this.#check()
    return this.totals()
  }

  /** Totals of the batches written so far. */
  totals(): ApplyResult {
    return {
      inserted: this.#totals[INSERTED]!,
      updated: this.#totals[UPDATED]!,
      unchanged: this.#totals[UNCHANGED]!,
    }
  }

  /** Records the writer takes before its backlog passes WRITER_FED_RECORDS (a window's early hand-over). */
  room(): number {
    this.#collect()
    return Math.max(0, WRITER_FED_RECORDS - this.#pendingRecords)
  }

  /** Records handed over, and written, so far. */
  get progress(): { handed: number; written: number } {
    return { handed: this.#handed, written: this.#totals[RECORDS_DONE]! }
  }

  /** Ends the thread (after drain(), or to give up) and waits until it is gone; then the store may close. */
  async close(): Promise<void> {
    if (Atomics.load(this.#state, STATE) === RUNNING) await this.#worker.terminate()
    await this.#exited
    this.#replies.close()
  }

  /** One slice of waiting for the writer: its next batch done, a state change, or the time slice. */
  #waitOnce(): void {
    this.#waitingSince ??= performance.now()
    const seen = Atomics.load(this.#state, BATCHES_DONE)
    if (seen === this.#batchesSeen && Atomics.load(this.#state, STATE) === RUNNING) {
      Atomics.wait(this.#state, BATCHES_DONE, seen, WAIT_SLICE_MS)
    }
    this.#collect()
    this.#check()
    this.onWait?.(this.#totals[RECORDS_DONE]!, this.#handed, performance.now() - this.#waitingSince)
  }

  /** Drops the batches the writer has done from the backlog. */
  #collect(): void {
    const done = Atomics.load(this.#state, BATCHES_DONE)
    while (this.#batchesSeen < done) {
      this.#pendingRecords -= this.#pending.shift()!
      this.#batchesSeen++
    }
  }

  #check(): void {
    this.#collect()
    // a thread that died before it could say so (it failed to load): while this thread waits, its
    // 'error' event cannot be delivered, but its id turns -1
    if (this.#worker.threadId === -1 && Atomics.load(this.#state, STATE) === RUNNING) {
      this.#error ??= new PdnsError('ERR_DB_IO', "the store's writer thread ended unexpectedly")
      Atomics.store(this.#state, STATE, FAILED)
    }
    if (this.#error === null && Atomics.load(this.#state, STATE) === FAILED) {
      const m = receiveMessageOnPort(this.#replies)?.message as WriterReply | undefined
      this.#error =
        m === undefined
          ? new PdnsError('ERR_DB_IO', "the store's writer thread failed")
          : new PdnsError((m.code ?? 'ERR_DB_IO') as PdnsError['code'], m.message)
    }
    if (this.#error !== null) throw this.#error
  }
}
