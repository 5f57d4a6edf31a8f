import type { Writable } from 'node:stream'

/** Size of one output block. Lines are encoded straight into it; a full block is one write. */
const BLOCK_BYTES = 1 << 20

/**
 * Batches many small lines into few large writes and exposes backpressure as a promise the
 * producer can await between capture chunks. Lines are encoded into a byte block as they come:
 * joining them into one big string first and encoding that cost more than parsing the packets
 * (measured: more than half of `parse` time went to join + encode).
 *
 * A stream error (the reader closed the pipe, a full disk) is recorded, not thrown: from then on
 * lines are dropped and `error` says why, so the producer can stop and report it in one place.
 */
export class LineWriter {
  readonly #out: Writable
  #block = Buffer.allocUnsafe(BLOCK_BYTES)
  #pos = 0
  #error: NodeJS.ErrnoException | null = null

  constructor(out: Writable) {
    this.#out = out
    out.on('error', (err: NodeJS.ErrnoException) => {
      this.#error ??= err
    })
  }

  /** the first error the stream reported, if any */
  get error(): NodeJS.ErrnoException | null {
    return this.#error
  }

  write(line: string): void {
    if (this.#error !== null) return
    // worst case 3 bytes per UTF-16 unit, plus the newline
    if (this.#pos + line.length * 3 + 1 > BLOCK_BYTES) {
      this.flush()
      if (line.length * 3 + 1 > BLOCK_BYTES) {
        this.#out.write(Buffer.from(`${line}\n`))
        return
      }
    }
    this.#pos += this.#block.write(line, this.#pos)
    this.#block[this.#pos++] = 0x0a
  }

  flush(): void {
    if (this.#pos === 0 || this.#error !== null) return
    // the stream may hold on to the bytes: hand it this block and start a new one
    this.#out.write(this.#block.subarray(0, this.#pos))
    this.#block = Buffer.allocUnsafe(BLOCK_BYTES)
    this.#pos = 0
  }

  /** Resolves once the stream has room again or has failed (immediately when neither is pending). */
  async drained(): Promise<void> {
    if (this.#error !== null || !this.#out.writableNeedDrain) return
    await new Promise<void>((resolve) => {
      const done = () => {
        this.#out.off('drain', done)
        this.#out.off('error', done)
        resolve()
      }
      this.#out.on('drain', done)
      this.#out.on('error', done)
    })
  }

  /** Flushes and waits until everything is handed to the stream (or the stream failed). */
  async end(): Promise<void> {
    this.flush()
    await this.drained()
  }
}
