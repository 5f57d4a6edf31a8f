/**
 * Token buckets keyed by a string (a key name, a client address): `perMinute` tokens refilled evenly,
 * at most `perMinute` held, so a quiet key may burst a minute's worth. The map is bounded
 * (MAX_RATE_ENTRIES): the least recently used entries are forgotten first, which can only make a
 * limit more lenient, never block a client that did nothing.
 */
import { MAX_RATE_ENTRIES } from './limits.ts'

/** What auth.ts needs of a rate limiter: this file's, or shared-rate.ts's across threads. */
export interface Limiter {
  /** Takes a token: 0 when allowed, else the seconds until one is available (for Retry-After). */
  take(id: string, perMinute: number): number
  /** Whether a token is there, without taking it (0), else the seconds to wait. */
  peek(id: string, perMinute: number): number
  /** Tokens left for `id` (the rate_limit answer's `remaining`). */
  remaining(id: string, perMinute: number): number
}

interface Bucket {
  tokens: number
  at: number
}

export class RateLimiter implements Limiter {
  readonly #buckets = new Map<string, Bucket>()
  readonly #now: () => number

  constructor(now: () => number = () => performance.now()) {
    this.#now = now
  }

  /** Takes a token: 0 when allowed, else the seconds until one is available (for Retry-After). */
  take(id: string, perMinute: number): number {
    const now = this.#now()
    const perMs = perMinute / 60_000
    let b = this.#buckets.get(id)
    if (b === undefined) {
      b = { tokens: perMinute, at: now }
      if (this.#buckets.size >= MAX_RATE_ENTRIES) this.#buckets.delete(this.#buckets.keys().next().value!)
    } else {
      this.#buckets.delete(id)
      b.tokens = Math.min(perMinute, b.tokens + (now - b.at) * perMs)
      b.at = now
    }
    // re-inserted: Map order is the LRU order
    this.#buckets.set(id, b)
    if (b.tokens >= 1) {
      b.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000))
  }

  /** Whether a token is there, without taking it (0), else the seconds to wait. */
  peek(id: string, perMinute: number): number {
    const b = this.#buckets.get(id)
    if (b === undefined) return 0
    const perMs = perMinute / 60_000
    const tokens = Math.min(perMinute, b.tokens + (this.#now() - b.at) * perMs)
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / perMs / 1000))
  }

  /** Tokens left for `id` (the rate_limit answer's `remaining`). */
  remaining(id: string, perMinute: number): number {
    const b = this.#buckets.get(id)
    if (b === undefined) return perMinute
    return Math.floor(Math.min(perMinute, b.tokens + ((this.#now() - b.at) * perMinute) / 60_000))
  }
}
