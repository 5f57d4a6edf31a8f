/**
 * How long the store takes to write the window's batches (Store.apply, fsync included for a flush's
 * last batch), as a cumulative histogram in plain numbers: the node times each batch and keeps the
 * counts in its status, and /metrics turns them into `pdns_store_write_seconds` at scrape time, so
 * neither the store nor the window knows about Prometheus.
 */

/** Upper bounds of the buckets, seconds: a small batch in memory to a large one waiting on the disk. */
export const WRITE_LATENCY_BUCKETS_S: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]

export interface WriteLatencySnapshot {
  /** upper bounds, seconds (the +Inf bucket is `count`) */
  buckets: readonly number[]
  /** batches at or under each bound (cumulative, as Prometheus buckets are) */
  cumulative: number[]
  count: number
  sumSeconds: number
}

export class WriteLatency {
  readonly #perBucket = new Array<number>(WRITE_LATENCY_BUCKETS_S.length).fill(0)
  #count = 0
  #sum = 0

  /** Runs `write` (synchronous, as Store.apply is) and counts how long it took, failed or not. */
  time<T>(write: () => T): T {
    const started = performance.now()
    try {
      return write()
    } finally {
      this.observe((performance.now() - started) / 1000)
    }
  }

  observe(seconds: number): void {
    this.#count++
    this.#sum += seconds
    const i = WRITE_LATENCY_BUCKETS_S.findIndex((b) => seconds <= b)
    if (i >= 0) this.#perBucket[i]!++
  }

  snapshot(): WriteLatencySnapshot {
    let running = 0
    return {
      buckets: WRITE_LATENCY_BUCKETS_S,
      cumulative: this.#perBucket.map((n) => {
        running += n
        return running
      }),
      count: this.#count,
      sumSeconds: this.#sum,
    }
  }
}
