import type { Writable } from 'node:stream'

/** Below this many buffered characters, lines are only appended to memory. */
const FLUSH_AT_CHARS = 1 << 18

/**
 * Batches many small lines into few large writes (one write per line costs more than the
 * parsing that produced it) and exposes backpressure as a promise the producer can await
 * between capture chunks.
 */
export class LineWriter {
  readonly #out: Writable
  #parts: string[] = []
  #size = 0
  #blocked = false

  constructor(out: Writable) {
    this.#out = out
  }

  write(line: string): void {
    this.#parts.push(line)
    this.#size += line.length
    if (this.#size >= FLUSH_AT_CHARS) this.flush()
  }

  flush(): void {
    if (this.#size === 0) return
    const chunk = `${this.#parts.join('\n')}\n`
    this.#parts = []
    this.#size = 0
    if (!this.#out.write(chunk)) this.#blocked = true
  }

  /** Resolves once the stream has room again (immediately when it has). */
  async drained(): Promise<void> {
    if (!this.#blocked) return
    await new Promise<void>((resolve) => this.#out.once('drain', resolve))
    this.#blocked = false
  }

  /** Flushes and waits until everything is handed to the OS. */
  async end(): Promise<void> {
    this.flush()
    await this.drained()
  }
}
