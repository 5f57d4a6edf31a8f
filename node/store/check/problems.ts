/** What can be wrong with a store, and the bounded list of the problems a check found. */

/** What can be wrong, one name per invariant. */
export const PROBLEM_KINDS = [
  /** META schema missing, unreadable or not the version of this build */
  'schema',
  /** an ORIGIN or ORIGIN# entry that does not decode, or the two tables disagree */
  'origin',
  /** a key whose first byte is no table of the layout */
  'unknown-key',
  /** a record or index key that does not decode, or decodes but is not how the store writes it */
  'bad-key',
  /** a record value that does not decode or cannot be (first after last, a zero count) */
  'bad-value',
  /** a record whose origin number is not in the ORIGIN table */
  'unknown-origin',
  /** an answer without its RDATA index entry */
  'missing-rdata',
  /** an RDATA index entry whose value is not its record's */
  'rdata-mismatch',
  /** an RDATA index entry whose record is not there */
  'orphan-rdata',
  /** a (name, type) of some record without its FWD entry */
  'missing-fwd',
  /** a FWD entry no record has the name and type of */
  'orphan-fwd',
  /** a record without a SEEN entry at its last_seen */
  'missing-seen',
  /** a SEEN entry of an existing record at another time than its last_seen (an old one not deleted) */
  'stale-seen',
  /** a SEEN entry whose record is not there */
  'orphan-seen',
  /** a record without a FIRST entry at its first_seen (schema v2) */
  'missing-first',
  /** a FIRST entry of an existing record at another time than its first_seen (an old one not deleted) */
  'stale-first',
  /** a FIRST entry whose record is not there */
  'orphan-first',
  /** a TTL entry whose value does not decode or cannot be (min above max) */
  'bad-ttl',
  /** a TTL entry whose record is not there */
  'orphan-ttl',
] as const

export type ProblemKind = (typeof PROBLEM_KINDS)[number]

export interface CheckProblem {
  kind: ProblemKind
  /** the key at fault, hex */
  key: string
  /** what is wrong, in words (the record named when its key decodes) */
  message: string
}

/**
 * Every problem is counted, per kind; only the first `maxListed` are kept in full, so a badly
 * damaged store cannot fill memory with its report.
 */
export class Problems {
  readonly #maxListed: number
  readonly #byKind: Partial<Record<ProblemKind, number>> = {}
  readonly #listed: CheckProblem[] = []
  #total = 0

  constructor(maxListed: number) {
    this.#maxListed = maxListed
  }

  add(kind: ProblemKind, key: Uint8Array, message: string): void {
    this.#total++
    this.#byKind[kind] = (this.#byKind[kind] ?? 0) + 1
    if (this.#listed.length < this.#maxListed) {
      this.#listed.push({ kind, key: Buffer.from(key).toString('hex'), message })
    }
  }

  /** every problem found */
  get total(): number {
    return this.#total
  }

  /** every problem found, per kind (kinds with none are left out); a copy */
  byKind(): Partial<Record<ProblemKind, number>> {
    return { ...this.#byKind }
  }

  /** the first `maxListed` problems in the order found */
  get listed(): CheckProblem[] {
    return this.#listed
  }
}
