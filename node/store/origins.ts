/**
 * The store's origins (vantages): labels numbered in the database (ORIGIN and ORIGIN_LABEL keys),
 * so a record's keys carry a small number instead of the label. Numbers are given on first use and
 * never change.
 */
import { PdnsError } from '../errors.ts'
import { decodeOriginKey, encodeU32, ORIGINS_RANGE, originKey, originLabelKey } from './keys.ts'
import type { Rocks } from './rocks.ts'

export class Origins {
  readonly #rocks: Rocks
  readonly #readOnly: boolean
  readonly #labels = new Map<number, string>()
  readonly #ids = new Map<string, number>()
  /** another thread registers origins in this database too (a Store attached by handle) */
  #shared = false

  constructor(rocks: Rocks, readOnly: boolean) {
    this.#rocks = rocks
    this.#readOnly = readOnly
  }

  /** Another thread registers origins in this database: a label not known here is looked for there. */
  share(): void {
    this.#shared = true
  }

  /** (Re)reads the numbered labels from the database. */
  load(): void {
    for (const [key, value] of this.#rocks.range(ORIGINS_RANGE)) {
      const id = decodeOriginKey(key)
      if (id === null) throw new PdnsError('ERR_DB_CORRUPT', 'bad origin key')
      const label = value.toString('utf8')
      this.#labels.set(id, label)
      this.#ids.set(label, id)
    }
  }

  /** The number of a label, registering it on first use. */
  id(label: string): number {
    const known = this.#ids.get(label)
    if (known !== undefined) return known
    if (this.#readOnly) throw new PdnsError('ERR_DB_IO', 'cannot register an origin in a read-only store')
    let id = 1
    for (const k of this.#labels.keys()) if (k >= id) id = k + 1
    this.#rocks.write(
      [
        { put: originKey(id), value: Buffer.from(label, 'utf8') },
        { put: originLabelKey(label), value: encodeU32(id) },
      ],
      { sync: true },
    )
    this.#labels.set(id, label)
    this.#ids.set(label, id)
    return id
  }

  /** The number of a label, without registering it. */
  find(label: string): number | undefined {
    const id = this.#ids.get(label)
    if (id !== undefined || !this.#shared) return id
    // registered since this Store loaded them, by the thread that holds the database (an API thread's
    // query for an origin that appeared since it started)
    this.load()
    return this.#ids.get(label)
  }

  label(id: number): string {
    let label = this.#labels.get(id)
    if (label === undefined) {
      // registered since this Store loaded them (by the Store another thread writes through)
      this.load()
      label = this.#labels.get(id)
    }
    return label ?? `origin#${id}`
  }

  get all(): ReadonlyMap<number, string> {
    // every origin, including those another thread registered since (a rare listing: stats)
    if (this.#shared) this.load()
    return this.#labels
  }
}
