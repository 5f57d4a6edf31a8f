import type { Writable } from 'node:stream'

/** Size of one output block. Lines are encoded straight into it; a full block is one write. */
const BLOCK_BYTES = 1 << 20

/**
 * Batches many small lines into few large writes and exposes backpressure as a promise the
 * producer can await between capture chunks. Lines are encoded into a byte block as they come:
 * joining them into one big string first and encoding that cost more than parsing the packets
 * (measured: more than half of `parse` time went to join + encode).
 */
export class LineWriter {
  readonly #out: Writable
  #block = Buffer.allocUnsafe(BLOCK_BYTES)
  #pos = 0
  #blocked = false

  constructor(out: Writable) {
    this.#out = out
  }

  write(line: string): void {
    // worst case 3 bytes per UTF-16 unit, plus the newline
    if (this.#pos + line.length * 3 + 1 > BLOCK_BYTES) {
      this.flush()
      if (line.length * 3 + 1 > BLOCK_BYTES) {
        this.#send(Buffer.from(`${line}\n`))
        return
      }
    }
    this.#pos += this.#block.write(line, this.#pos)
    this.#block[this.#pos++] = 0x0a
  }

  flush(): void {
    if (this.#pos === 0) return
    // the stream may hold on to the bytes: hand it this block and start a new one
    this.#send(this.#block.subarray(0, this.#pos))
    this.#block = Buffer.allocUnsafe(BLOCK_BYTES)
    this.#pos = 0
  }

  #send(bytes: Buffer): void {
    if (!this.#out.write(bytes)) this.#blocked = true
  }

  /** Resolves once the stream has room again (immediately when it has). */
  async drained(): Promise<void> {
    if (!this.#blocked) return
    await new Promise<void>((resolve) => this.#out.once('drain', resolve))
    this.#blocked = false
  }

  /** Flushes and waits until everything is handed to the stream. */
  async end(): Promise<void> {
    this.flush()
    await this.drained()
  }
}
