/**
 * The index keys of names the store remembers writing: a new record's FWD key (its name and type)
 * and the DOMAIN key of its name's registered domain are idempotent puts, made once per batch and
 * not again while this remembers them. Two puts fewer per new record of a known name (docs/STORAGE.md
 * "What was tried for the write path"). Both caches only grow, and start again empty when full
 * (WRITTEN_NAMES_CACHED) or when anything deletes keys of those families.
 */
import { domainKey, TAG_DOMAIN, TAG_FWD } from './keys.ts'
import { WRITTEN_NAMES_CACHED } from './limits.ts'
import { registeredDomain } from './registered-domain.ts'
import type { Batch, Rocks } from './rocks.ts'

const EMPTY = Buffer.alloc(0)

/** What is remembered of one name's index keys. */
interface NameIndex {
  /** types whose FWD key is written */
  types: number[]
  /** its DOMAIN key is written (or it has no registered domain) */
  domain: boolean
  /** types the batch being written added (the last ones of `types`) */
  added: number
}

export class WrittenNames {
  readonly #rocks: Rocks
  readonly #names = new Map<string, NameIndex>()
  readonly #domains = new Set<string>()
  /** of the batch being written: the names it touched and the domains it added (see forget()) */
  readonly #touched: NameIndex[] = []
  readonly #domainsAdded: string[] = []
  /** FWD and DOMAIN deletes through Rocks when the caches were last checked */
  #indexDeletes = 0

  constructor(rocks: Rocks) {
    this.#rocks = rocks
  }

  /**
   * Starts a batch. The caches are only good while nothing deletes keys of their families (the
   * store's writes never do; retention does): any such delete through this Rocks since the last
   * batch empties them.
   */
  begin(): void {
    const deleted = this.#rocks.deletes[TAG_FWD]! + this.#rocks.deletes[TAG_DOMAIN]!
    if (deleted !== this.#indexDeletes) {
      this.#indexDeletes = deleted
      this.#names.clear()
      this.#domains.clear()
    }
    for (const t of this.#touched) t.added = 0
    this.#touched.length = 0
    this.#domainsAdded.length = 0
  }

  /**
   * Puts a new record's FWD key, and the DOMAIN key of its name's registered domain, unless
   * remembered (this batch or an earlier one): one lookup of the name for both.
   */
  put(batch: Batch, rrname: string, rrtype: number, fwd: Buffer): void {
    let n = this.#names.get(rrname)
    if (n === undefined) {
      if (this.#names.size >= WRITTEN_NAMES_CACHED) this.#names.clear()
      n = { types: [], domain: false, added: 0 }
      this.#names.set(rrname, n)
    }
    if (n.types.includes(rrtype)) return
    if (n.added === 0) this.#touched.push(n)
    n.types.push(rrtype)
    n.added++
    batch.put(fwd, EMPTY)
    if (n.domain) return
    n.domain = true
    const d = registeredDomain(rrname)
    if (d === null || this.#domains.has(d)) return
    if (this.#domains.size >= WRITTEN_NAMES_CACHED) this.#domains.clear()
    this.#domains.add(d)
    this.#domainsAdded.push(d)
    batch.put(domainKey(d), EMPTY)
  }

  /** Undoes what the batch (not written after all) added: what the caches take holds only once written. */
  forget(): void {
    for (const n of this.#touched) {
      // the types are appended: this batch's are the last `added`, the domain was new with the first
      n.types.length -= n.added
      if (n.types.length === 0) n.domain = false
      n.added = 0
    }
    this.#touched.length = 0
    for (const d of this.#domainsAdded) this.#domains.delete(d)
    this.#domainsAdded.length = 0
  }
}
