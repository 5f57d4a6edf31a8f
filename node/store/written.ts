/**
 * A Bloom filter of the record keys a store wrote since it opened. "No" is certain, "maybe" is not:
 * a store that held no record when it opened knows that a record key the filter has never seen is
 * new, and need not read it before writing it (Store.apply). A false "maybe" only costs the read
 * that would have been made anyway.
 */

/** Bits per key: about 2 % false positives with 6 probes in 512-bit blocks. */
const BITS_PER_KEY = 10
const PROBES = 6
/** the first filter's capacity; each further one holds four times the previous */
const FIRST_CAPACITY = 1 << 16

interface Part {
  /** 512-bit blocks: a key's probes all land in one (one cache line per filter, not one per probe) */
  words: Int32Array
  /** blocks - 1 (a power of two) */
  mask: number
  capacity: number
  count: number
}

export class KeyFilter {
  readonly #parts: Part[] = []
  readonly #maxKeys: number
  #keys = 0

  /** `maxKeys`: beyond it the filter gives up (full() turns true) rather than grow further. */
  constructor(maxKeys: number) {
    this.#maxKeys = maxKeys
    this.#grow(FIRST_CAPACITY)
  }

  /** More keys were added than the filter will hold: it answers "maybe" to everything. */
  get full(): boolean {
    return this.#keys > this.#maxKeys
  }

  get size(): number {
    return this.#keys
  }

  add(key: Uint8Array): void {
    if (this.full) return
    let p = this.#parts[this.#parts.length - 1]!
    if (p.count >= p.capacity) {
      this.#grow(p.capacity * 4)
      p = this.#parts[this.#parts.length - 1]!
    }
    const h1 = hash(key)
    const h2 = mix(h1)
    const step = mix(h2) | 1
    const words = p.words
    const base = (h1 & p.mask) << 4
    for (let i = 0, h = h2; i < PROBES; i++, h = (h + step) | 0) {
      const b = h & 511
      words[base + (b >>> 5)]! |= 1 << (b & 31)
    }
    p.count++
    this.#keys++
  }

  /** False when the key was certainly never added; true when it may have been. */
  mayHave(key: Uint8Array): boolean {
    if (this.full) return true
    const h1 = hash(key)
    const h2 = mix(h1)
    const step = mix(h2) | 1
    for (const p of this.#parts) {
      const words = p.words
      const base = (h1 & p.mask) << 4
      let all = true
      for (let i = 0, h = h2; i < PROBES; i++, h = (h + step) | 0) {
        const b = h & 511
        if ((words[base + (b >>> 5)]! & (1 << (b & 31))) === 0) {
          all = false
          break
        }
      }
      if (all) return true
    }
    return false
  }

  #grow(capacity: number): void {
    let blocks = 1
    while (blocks * 512 < capacity * BITS_PER_KEY) blocks *= 2
    this.#parts.push({ words: new Int32Array(blocks * 16), mask: blocks - 1, capacity, count: 0 })
  }
}

/** FNV-1a over the bytes, then a final mix: 32 bits, well spread in the low bits the filter uses. */
function hash(key: Uint8Array): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193)
  return mix(h)
}

/** lowbias32 (Chris Wellons). */
function mix(x: number): number {
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  return x ^ (x >>> 16)
}
