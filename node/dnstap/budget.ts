/**
 * A byte budget shared by every connection of one dnstap server: the memory of partial frames
 * (frames split across socket reads, assembled by each connection's FrameDecoder) summed over all
 * connections, so many peers each announcing a large frame cannot together exhaust memory. A
 * decoder reserves bytes before it grows a frame buffer and releases them when the frame is whole
 * or the connection ends; a refused reservation cuts that connection (limits.ts,
 * MAX_DNSTAP_PENDING_BYTES).
 */
export class ByteBudget {
  readonly limit: number
  #used = 0

  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`bad byte budget ${limit}`)
    this.limit = limit
  }

  /** bytes reserved now */
  get used(): number {
    return this.#used
  }

  /** Takes `bytes` if they fit under the limit (true), else takes nothing (false). */
  tryReserve(bytes: number): boolean {
    if (this.#used + bytes > this.limit) return false
    this.#used += bytes
    return true
  }

  release(bytes: number): void {
    // never below zero: the decoders release exactly what they reserved, and a slip here must not
    // turn into a budget larger than its limit
    this.#used = Math.max(0, this.#used - bytes)
  }
}
