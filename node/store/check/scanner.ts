/**
 * The streaming of the check: a table is fed to its checker in key order, in batches, so memory
 * stays bounded whatever the size of the store; between batches come the progress report and, now
 * and then, a turn of the event loop so that a signal can land.
 */
import { PdnsError } from '../../errors.ts'
import type { Range } from '../rocks.ts'
import type { CheckOptions, CheckPhase, CheckSource } from './types.ts'

/** Entries per multi-get: large enough to amortise the call, small enough to stay a few hundred KiB. */
const CHECK_BATCH = 1024
/** Batches between two yields to the event loop (signals, the progress line). */
const BATCHES_PER_YIELD = 16

export type Batch = [Buffer, Buffer][]

export class Scanner {
  readonly #db: CheckSource
  readonly #signal: AbortSignal | undefined
  readonly #onProgress: CheckOptions['onProgress']
  readonly #estimatedTotal: number
  #scanned = 0
  #batches = 0
  /** what is being scanned, as the progress reports say */
  phase: CheckPhase = 'origins'

  constructor(db: CheckSource, options: Pick<CheckOptions, 'signal' | 'onProgress'>) {
    this.#db = db
    this.#signal = options.signal
    this.#onProgress = options.onProgress
    const estimate = Number(db.property('rocksdb.estimate-num-keys') ?? 0)
    this.#estimatedTotal = Number.isFinite(estimate) && estimate > 0 ? estimate : 0
  }

  /** Counts an entry read outside scan() (the origin tables, read whole). */
  counted(): void {
    this.#scanned++
  }

  checkAbort(): void {
    if (this.#signal?.aborted) {
      throw new PdnsError('ERR_ABORTED', 'the check was interrupted', { cause: this.#signal.reason })
    }
  }

  progress(): void {
    this.#onProgress?.({ phase: this.phase, scanned: this.#scanned, estimatedTotal: this.#estimatedTotal })
  }

  /** Feeds the entries of a range to `check` in batches of CHECK_BATCH. */
  async scan(range: Range, values: boolean, check: (batch: Batch) => void): Promise<void> {
    let batch: Batch = []
    for (const entry of this.#db.range(range, { values })) {
      batch.push(entry)
      if (batch.length === CHECK_BATCH) {
        this.#scanned += batch.length
        check(batch)
        batch = []
        await this.#afterBatch()
      }
    }
    if (batch.length > 0) {
      this.#scanned += batch.length
      check(batch)
      await this.#afterBatch()
    }
  }

  /** After each batch: progress, and now and then a turn of the event loop so a signal can land. */
  async #afterBatch(): Promise<void> {
    this.progress()
    if (++this.#batches % BATCHES_PER_YIELD === 0) {
      await new Promise((resolve) => setImmediate(resolve))
    }
    this.checkAbort()
  }
}
