/**
 * The token buckets of rate-limit.ts in shared memory, for an API served by several threads
 * (`api.threads`): a key's rate and an address's failed authentications are one budget however the
 * kernel spreads connections over the threads. Same rules as RateLimiter: `perMinute` tokens
 * refilled evenly, at most `perMinute` held; a forgotten entry only makes a limit more lenient.
 *
 * Layout: SHARED_RATE_SLOTS slots, each a 64-bit hash of the id (never 0), a spin lock, the tokens
 * and the time of the last refill (epoch ms: `performance.now()` has a different origin in each
 * thread). An id is looked for in SHARED_RATE_PROBES slots from its hash; when all are taken by
 * others, the one refilled longest ago is given to it. Entries are replaced, never emptied, so an
 * id is always found before any free slot it could also take.
 */
import { SHARED_RATE_PROBES, SHARED_RATE_SLOTS } from './limits.ts'
import type { Limiter } from './rate-limit.ts'

/** Int32 words a slot: hash high, hash low, lock. */
const WORDS = 3
/** Float64 words a slot: tokens, refill time. */
const REALS = 2

function epochNow(): number {
  return performance.timeOrigin + performance.now()
}

/** Two FNV-1a-style hashes of the id's UTF-16 units; the low one forced odd, so never 0/0 (a free slot). The high one places it. */
function hash(id: string): [number, number] {
  let a = 0x811c9dc5
  let b = 0x2f3a4b5c
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15)
  }
  return [a | 0, b | 1]
}

export class SharedRateLimiter implements Limiter {
  readonly #words: Int32Array
  readonly #reals: Float64Array
  readonly #mask: number
  readonly #now: () => number

  /** Over `memory` from SharedRateLimiter.memory(), in any thread; `now`: epoch ms (tests). */
  constructor(memory: SharedArrayBuffer, now: () => number = epochNow) {
    this.#now = now
    if (memory.byteLength !== SharedRateLimiter.bytes()) throw new RangeError('not a shared rate table')
    this.#reals = new Float64Array(memory, 0, SHARED_RATE_SLOTS * REALS)
    this.#words = new Int32Array(memory, SHARED_RATE_SLOTS * REALS * 8, SHARED_RATE_SLOTS * WORDS)
    this.#mask = SHARED_RATE_SLOTS - 1
  }

  static bytes(): number {
    return SHARED_RATE_SLOTS * (REALS * 8 + WORDS * 4)
  }

  /** A new, empty table to hand to the threads. */
  static memory(): SharedArrayBuffer {
    return new SharedArrayBuffer(SharedRateLimiter.bytes())
  }

  take(id: string, perMinute: number): number {
    const t = this.#now()
    const perMs = perMinute / 60_000
    const slot = this.#lock(id, true)
    try {
      const r = this.#reals
      const fresh = this.#words[slot * WORDS + 2]! === 2
      let tokens: number
      if (fresh) {
        tokens = perMinute
        this.#words[slot * WORDS + 2] = 1
      } else {
        tokens = Math.min(perMinute, r[slot * REALS]! + (t - r[slot * REALS + 1]!) * perMs)
      }
      r[slot * REALS + 1] = t
      if (tokens >= 1) {
        r[slot * REALS] = tokens - 1
        return 0
      }
      r[slot * REALS] = tokens
      return Math.max(1, Math.ceil((1 - tokens) / perMs / 1000))
    } finally {
      this.#unlock(slot)
    }
  }

  peek(id: string, perMinute: number): number {
    const tokens = this.#tokens(id, perMinute)
    if (tokens === null || tokens >= 1) return 0
    return Math.max(1, Math.ceil((1 - tokens) / (perMinute / 60_000) / 1000))
  }

  remaining(id: string, perMinute: number): number {
    const tokens = this.#tokens(id, perMinute)
    return tokens === null ? perMinute : Math.floor(tokens)
  }

  /** The id's tokens now, or null when it has no bucket. */
  #tokens(id: string, perMinute: number): number | null {
    const slot = this.#lock(id, false)
    if (slot < 0) return null
    try {
      const r = this.#reals
      return Math.min(
        perMinute,
        r[slot * REALS]! + ((this.#now() - r[slot * REALS + 1]!) * perMinute) / 60_000,
      )
    } finally {
      this.#unlock(slot)
    }
  }

  /**
   * Locks and returns the id's slot. Not there: with `claim`, a free slot or the stalest one is
   * given to it, its lock word left at 2 ("fresh": take() fills it); without, -1 and nothing locked.
   */
  #lock(id: string, claim: boolean): number {
    const [hi, lo] = hash(id)
    const w = this.#words
    let stalest = -1
    let stalestAt = Number.POSITIVE_INFINITY
    for (let p = 0; p < SHARED_RATE_PROBES; p++) {
      const slot = (hi + p) & this.#mask
      this.#acquire(slot)
      const h = w[slot * WORDS]!
      const l = w[slot * WORDS + 1]!
      if (h === hi && l === lo) return slot
      if (h === 0 && l === 0) {
        if (!claim) {
          this.#unlock(slot)
          return -1
        }
        w[slot * WORDS] = hi
        w[slot * WORDS + 1] = lo
        w[slot * WORDS + 2] = 2
        return slot
      }
      const at = this.#reals[slot * REALS + 1]!
      if (at < stalestAt) {
        stalestAt = at
        stalest = slot
      }
      this.#unlock(slot)
    }
    if (!claim) return -1
    // every probed slot holds another id: the one refilled longest ago is forgotten
    this.#acquire(stalest)
    w[stalest * WORDS] = hi
    w[stalest * WORDS + 1] = lo
    w[stalest * WORDS + 2] = 2
    return stalest
  }

  #acquire(slot: number): void {
    const i = slot * WORDS + 2
    // 0 free, 1 held, 2 held and fresh (set only by its holder): spin, sections are a few loads long
    while (Atomics.compareExchange(this.#words, i, 0, 1) !== 0) {}
  }

  #unlock(slot: number): void {
    Atomics.store(this.#words, slot * WORDS + 2, 0)
  }
}
