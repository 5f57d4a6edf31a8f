/**
 * One large reusable buffer over a ByteSource. Parsers walk records in place between `pos` and
 * `end` (zero copy); when a record straddles the end of the buffer, only that tail is moved to the
 * front before the next refill. Frames handed to a FrameSink point into this buffer, so they are
 * valid only during the call.
 */
import { PdnsError } from '../../errors.ts'
import type { ByteSource } from './byte-source.ts'

export class BufferedReader {
  buf: Uint8Array
  /** first unparsed byte in buf */
  pos = 0
  /** end of valid bytes in buf */
  end = 0
  /** stream offset of buf[0] */
  base = 0
  eof = false
  /** A source failure, held back until every complete record before it has been delivered. */
  sourceError: unknown = null
  readonly #src: ByteSource
  readonly #signal: AbortSignal | undefined
  readonly #onProgress: ((bytesRead: number, totalBytes: number) => void) | undefined
  readonly #totalBytes: number
  readonly #onChunk: (() => Promise<void> | void) | undefined

  constructor(
    src: ByteSource,
    size: number,
    totalBytes: number,
    signal?: AbortSignal,
    onProgress?: (bytesRead: number, totalBytes: number) => void,
    onChunk?: () => Promise<void> | void,
  ) {
    this.#onChunk = onChunk
    this.#src = src
    this.buf = new Uint8Array(size)
    this.#totalBytes = totalBytes
    this.#signal = signal
    this.#onProgress = onProgress
  }

  /** Stream offset of `pos`. */
  get offset(): number {
    return this.base + this.pos
  }

  checkAborted(): void {
    const s = this.#signal
    if (s?.aborted) throw new PdnsError('ERR_ABORTED', 'capture reading was aborted', { cause: s.reason })
  }

  /**
   * Makes at least `n` bytes available from `pos`, filling the buffer as far as the input allows.
   * Resolves false when the input ends (or fails) first.
   */
  async fill(n: number): Promise<boolean> {
    if (this.end - this.pos >= n) return true
    this.checkAborted()
    if (this.eof) return false
    // Everything before `pos` has been delivered: let the consumer catch up (output backpressure).
    await this.#onChunk?.()
    if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.end)
      this.base += this.pos
      this.end -= this.pos
      this.pos = 0
    }
    if (n > this.buf.length) {
      const bigger = new Uint8Array(Math.max(n, this.buf.length * 2))
      bigger.set(this.buf.subarray(0, this.end))
      this.buf = bigger
    }
    while (this.end < this.buf.length) {
      let got: number
      try {
        got = await this.#src.read(this.buf, this.end, this.buf.length - this.end)
      } catch (err) {
        this.sourceError = err
        got = 0
      }
      if (got === 0) {
        this.eof = true
        break
      }
      this.end += got
    }
    this.#onProgress?.(this.#src.fileBytesRead, this.#totalBytes)
    this.checkAborted()
    return this.end - this.pos >= n
  }
}
