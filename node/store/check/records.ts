/**
 * The record scan: each RRSET entry's key and value are decoded, and each batch looks its RDATA,
 * SEEN and FWD entries up with one multi-get apiece. It counts the index entries it finds, each a
 * distinct key, so that the orphan pass can settle a clean index by counting.
 */
import { typeName } from '../../dns/constants.ts'
import {
  decodeRrsetKey,
  firstKey,
  fwdKey,
  type RecordId,
  rdataKey,
  rrsetKey,
  seenKey,
  ttlKey,
} from '../keys.ts'
import { decodeTtl, isStorableTtl } from '../ttl.ts'
import { decodeValue, isStorableValue, type RecordValue } from '../value.ts'
import type { CheckContext } from './context.ts'
import { describe, reencodes } from './entries.ts'
import type { Batch } from './scanner.ts'

interface RecordEntry {
  key: Buffer
  id: RecordId
  /** the raw value, compared byte for byte with the RDATA copy */
  raw: Buffer
  /** null when the value does not decode or cannot be */
  value: RecordValue | null
}

export class RecordCheck {
  readonly #ctx: CheckContext
  /** the (name, type) of the last record seen, across batches: records of one pair are neighbours */
  #lastPair: string | null = null
  /** index entries found from the records (each a distinct key): the extras are the entries beyond these */
  readonly found = { rdata: 0, fwd: 0, seen: 0, first: 0, ttl: 0 }

  constructor(ctx: CheckContext) {
    this.#ctx = ctx
  }

  check(batch: Batch): void {
    const good = this.#decode(batch)
    this.#checkRdata(good)
    this.#checkSeen(good)
    this.#checkFwd(good)
    if (this.#ctx.schema >= 2) {
      this.#checkFirst(good)
      this.#checkTtl(good)
    }
  }

  /** The records whose key decodes; a value that does not is reported and kept as null. */
  #decode(batch: Batch): RecordEntry[] {
    const { counts, origins, problems } = this.#ctx
    const good: RecordEntry[] = []
    for (const [key, raw] of batch) {
      counts.records++
      const id = decodeRrsetKey(key)
      if (id === null || !reencodes(() => rrsetKey(id), key)) {
        problems.add('bad-key', key, 'RRSET key does not decode')
        continue
      }
      if (id.kind !== 'rr') counts.negatives++
      const decoded = decodeValue(raw)
      const value = decoded !== null && isStorableValue(decoded) ? decoded : null
      if (value === null) {
        problems.add(
          'bad-value',
          key,
          `${describe(id, origins)}: value ${raw.toString('hex')} ${decoded === null ? 'does not decode' : `is impossible (${JSON.stringify(decoded)})`}`,
        )
      }
      if (!origins.has(id.origin)) {
        problems.add('unknown-origin', key, `${describe(id, origins)}: origin ${id.origin} is not registered`)
      }
      good.push({ key, id, raw, value })
    }
    return good
  }

  /** RDATA: an answer's entry holds a copy of its value */
  #checkRdata(good: RecordEntry[]): void {
    const { db, origins, problems } = this.#ctx
    const positives = good.filter((r) => r.id.kind === 'rr')
    const rd = db.getMany(positives.map((r) => rdataKey(r.id)))
    for (let i = 0; i < positives.length; i++) {
      const r = positives[i]!
      const copy = rd[i]
      if (copy !== undefined) this.found.rdata++
      if (copy === undefined)
        problems.add('missing-rdata', r.key, `${describe(r.id, origins)}: no RDATA entry`)
      else if (!copy.equals(r.raw)) {
        problems.add(
          'rdata-mismatch',
          r.key,
          `${describe(r.id, origins)}: RDATA entry holds ${copy.toString('hex')}, the record ${r.raw.toString('hex')}`,
        )
      }
    }
  }

  /** SEEN: one entry at last_seen (only a readable value says when that is) */
  #checkSeen(good: RecordEntry[]): void {
    const { db, origins, problems } = this.#ctx
    const timed = good.filter((r) => r.value !== null)
    const seen = db.getMany(timed.map((r) => seenKey(r.value!.last, r.key)))
    for (let i = 0; i < timed.length; i++) {
      if (seen[i] !== undefined) this.found.seen++
      else {
        const r = timed[i]!
        problems.add(
          'missing-seen',
          r.key,
          `${describe(r.id, origins)}: no SEEN entry at its last_seen ${r.value!.last}`,
        )
      }
    }
  }

  /** FIRST (v2): one entry at first_seen (only a readable value says when that is) */
  #checkFirst(good: RecordEntry[]): void {
    const { db, origins, problems } = this.#ctx
    const timed = good.filter((r) => r.value !== null)
    const first = db.getMany(timed.map((r) => firstKey(r.value!.first, r.key)))
    for (let i = 0; i < timed.length; i++) {
      if (first[i] !== undefined) this.found.first++
      else {
        const r = timed[i]!
        problems.add(
          'missing-first',
          r.key,
          `${describe(r.id, origins)}: no FIRST entry at its first_seen ${r.value!.first}`,
        )
      }
    }
  }

  /** TTL (v2): optional (peers' and old records have none); when there, a readable range */
  #checkTtl(good: RecordEntry[]): void {
    const { db, origins, problems } = this.#ctx
    const keys = good.map((r) => ttlKey(r.key))
    const ttl = db.getMany(keys)
    for (let i = 0; i < good.length; i++) {
      const raw = ttl[i]
      if (raw === undefined) continue
      this.found.ttl++
      const t = decodeTtl(raw)
      if (t === null || !isStorableTtl(t)) {
        problems.add(
          'bad-ttl',
          keys[i]!,
          `${describe(good[i]!.id, origins)}: TTL value ${raw.toString('hex')}`,
        )
      }
    }
  }

  /** FWD: one per (name, type); a pair's records are neighbours, possibly across batches */
  #checkFwd(good: RecordEntry[]): void {
    const { db, counts, problems } = this.#ctx
    const pairs: RecordEntry[] = []
    for (const r of good) {
      const pair = `${r.id.rrname}\u0000${r.id.rrtype}`
      if (pair === this.#lastPair) continue
      this.#lastPair = pair
      pairs.push(r)
    }
    counts.names += pairs.length
    const fwd = db.getMany(pairs.map((r) => fwdKey(r.id.rrname, r.id.rrtype)))
    for (let i = 0; i < pairs.length; i++) {
      if (fwd[i] !== undefined) {
        this.found.fwd++
        continue
      }
      const r = pairs[i]!
      problems.add('missing-fwd', r.key, `${r.id.rrname} ${typeName(r.id.rrtype)}: no FWD entry`)
    }
  }
}
