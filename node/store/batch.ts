/**
 * A write batch: put() and del() fill it, write() applies it atomically, close() frees it.
 * Rocks.batch() gives a FlatBatch (flat-batch.ts), or a GroupedBatch (grouped-batch.ts) without the
 * native addon.
 */
export interface Batch {
  put(key: Uint8Array, value: Uint8Array): void
  del(key: Uint8Array): void
  /** `sync` waits for the WAL to reach the disk */
  write(options?: { sync?: boolean }): void
  close(): void
}
