/**
 * The integrity check of a store (`pdns-mesh check`): every record and index entry is decoded and
 * matched against the others, as apply() keeps them — an RRSET entry per (record, vantage) with a
 * readable value; for answers an RDATA entry holding the same value; a FWD entry per (name, type);
 * exactly one SEEN entry, at the record's last_seen (apply deletes the old one when last moves); no
 * index entry pointing at a record that is not there; every origin number named in ORIGIN and
 * ORIGIN# alike; the META schema version present.
 *
 * It streams: each table is scanned in key order, in batches of CHECK_BATCH entries, so memory
 * stays bounded whatever the size of the store (the origin tables, a few entries, are the one thing
 * held whole). The records are scanned first, each batch looking up its RDATA, SEEN and FWD entries
 * with one multi-get apiece. The index entries found that way are distinct keys, so an index holding
 * more valid entries than were found has orphans (or, in SEEN, entries at an old time): a clean store
 * is settled by counting, and only an index with extras is scanned a second time, looking each entry's
 * record up, to name them. A FWD entry has no exact record key: that lookup is a short scan.
 */
import { join } from 'node:path'
import { typeName } from '../dns/constants.ts'
import { PdnsError } from '../errors.ts'
import {
  decodeFwdKey,
  decodeOriginKey,
  decodeRdataKey,
  decodeRrsetKey,
  decodeSeenKey,
  decodeU32,
  FWD_RANGE,
  fwdKey,
  metaKey,
  ORIGINS_RANGE,
  RDATA_RANGE,
  type RecordId,
  RRSET_RANGE,
  rdataKey,
  rrsetKey,
  rrsetTypeRange,
  SCHEMA_VERSION,
  SEEN_RANGE,
  seenKey,
  TAG_ORIGIN,
  TAG_ORIGIN_BY_LABEL,
  TAG_RRSET,
  TAG_SEEN,
} from './keys.ts'
import { MAX_CHECK_PROBLEMS_LISTED } from './limits.ts'
import { type Range, Rocks } from './rocks.ts'
import { checkSchemaMarker } from './store.ts'
import { decodeValue, isStorableValue, type RecordValue } from './value.ts'

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
] as const

export type ProblemKind = (typeof PROBLEM_KINDS)[number]

export interface CheckProblem {
  kind: ProblemKind
  /** the key at fault, hex */
  key: string
  /** what is wrong, in words (the record named when its key decodes) */
  message: string
}

export interface CheckCounts {
  /** RRSET entries: (record, vantage) pairs, answers and negative answers */
  records: number
  /** of which negative answers (NXDOMAIN, NODATA): they have no RDATA entry */
  negatives: number
  /** (name, type) pairs among the records */
  names: number
  rdata: number
  fwd: number
  seen: number
  origins: number
}

export type CheckPhase = 'origins' | 'records' | 'rdata' | 'fwd' | 'seen' | 'other'

export interface CheckProgress {
  phase: CheckPhase
  /** entries scanned so far, all phases */
  scanned: number
  /** RocksDB's estimate of the keys there are (rocksdb.estimate-num-keys); 0 when unknown */
  estimatedTotal: number
}

export interface CheckResult {
  counts: CheckCounts
  /** every problem found */
  problems: number
  /** every problem found, per kind (kinds with none are left out) */
  byKind: Partial<Record<ProblemKind, number>>
  /** the first `maxListed` problems in the order found */
  listed: CheckProblem[]
}

export interface CheckOptions {
  signal?: AbortSignal
  /** called after every batch of entries */
  onProgress?: (p: CheckProgress) => void
  /** problems listed in full (all are counted); default MAX_CHECK_PROBLEMS_LISTED */
  maxListed?: number
}

/** What the check reads: a Store or a Rocks; it never writes. */
export interface CheckSource {
  range(range: Range, options?: { values?: boolean }): Iterable<[Buffer, Buffer]>
  getMany(keys: Uint8Array[]): (Buffer | undefined)[]
  property(name: string): string | null
}

/** Entries per multi-get: large enough to amortise the call, small enough to stay a few hundred KiB. */
const CHECK_BATCH = 1024
/** Batches between two yields to the event loop (signals, the progress line). */
const BATCHES_PER_YIELD = 16

/**
 * Opens the database of a data directory, checks it and closes it. It never writes, but the binding
 * has no read-only open: RocksDB replays its WAL, and a node or an import that holds the lock makes
 * it fail with ERR_DB_LOCKED (stop it first). A database of a newer schema is refused untouched.
 */
export async function checkDataDir(dataDir: string, options: CheckOptions = {}): Promise<CheckResult> {
  // a newer build's database: refused before RocksDB opens (and rewrites) anything
  await checkSchemaMarker(dataDir)
  let rocks: Rocks
  try {
    rocks = await Rocks.open(join(dataDir, 'db'), { createIfMissing: false })
  } catch (err) {
    if (err instanceof PdnsError && err.code === 'ERR_DB_LOCKED') {
      throw new PdnsError(
        'ERR_DB_LOCKED',
        `the database in ${dataDir} is in use by another process (a running node or an import): ` +
          'stop the node first, then check again',
        { cause: err },
      )
    }
    throw err
  }
  try {
    return await checkStore(rocks, options)
  } finally {
    await rocks.close()
  }
}

/** Checks an open database; see the file comment for what is checked. */
export async function checkStore(db: CheckSource, options: CheckOptions = {}): Promise<CheckResult> {
  return await new Checker(db, options).run()
}

interface RecordEntry {
  key: Buffer
  id: RecordId
  /** the raw value, compared byte for byte with the RDATA copy */
  raw: Buffer
  /** null when the value does not decode or cannot be */
  value: RecordValue | null
}

class Checker {
  readonly #db: CheckSource
  readonly #signal: AbortSignal | undefined
  readonly #onProgress: ((p: CheckProgress) => void) | undefined
  readonly #maxListed: number
  readonly #counts: CheckCounts = {
    records: 0,
    negatives: 0,
    names: 0,
    rdata: 0,
    fwd: 0,
    seen: 0,
    origins: 0,
  }
  readonly #byKind: Partial<Record<ProblemKind, number>> = {}
  readonly #listed: CheckProblem[] = []
  #problems = 0
  readonly #origins = new Map<number, string>()
  #phase: CheckPhase = 'origins'
  #scanned = 0
  #batches = 0
  readonly #estimatedTotal: number
  /** the (name, type) of the last record seen, across batches: records of one pair are neighbours */
  #lastPair: string | null = null
  /** index entries found from the records (each a distinct key): the extras are the entries beyond these */
  readonly #found = { rdata: 0, fwd: 0, seen: 0 }

  constructor(db: CheckSource, options: CheckOptions) {
    this.#db = db
    this.#signal = options.signal
    this.#onProgress = options.onProgress
    this.#maxListed = options.maxListed ?? MAX_CHECK_PROBLEMS_LISTED
    const estimate = Number(db.property('rocksdb.estimate-num-keys') ?? 0)
    this.#estimatedTotal = Number.isFinite(estimate) && estimate > 0 ? estimate : 0
  }

  async run(): Promise<CheckResult> {
    this.#checkAbort()
    this.#checkSchema()
    this.#checkOrigins()
    this.#phase = 'records'
    await this.#scan(RRSET_RANGE, true, (batch) => this.#checkRecords(batch))
    // Each index entry the records found is a distinct key: any further valid entry points at no
    // record (or, in SEEN, at another time than its record's last_seen). Counting settles a clean
    // store without a lookup per entry; only when there are extras does a second pass name them.
    this.#phase = 'rdata'
    if ((await this.#countIndex(RDATA_RANGE, 'rdata')) > this.#found.rdata) {
      await this.#scan(RDATA_RANGE, false, (batch) => this.#findOrphanRdata(batch))
    }
    this.#phase = 'fwd'
    if ((await this.#countIndex(FWD_RANGE, 'fwd')) > this.#found.fwd) {
      await this.#scan(FWD_RANGE, false, (batch) => this.#findOrphanFwd(batch))
    }
    this.#phase = 'seen'
    if ((await this.#countIndex(SEEN_RANGE, 'seen')) > this.#found.seen) {
      await this.#scan(SEEN_RANGE, false, (batch) => this.#findExtraSeen(batch))
    }
    this.#phase = 'other'
    await this.#checkUnknownTags()
    this.#progress()
    return {
      counts: { ...this.#counts },
      problems: this.#problems,
      byKind: { ...this.#byKind },
      listed: this.#listed,
    }
  }

  #problem(kind: ProblemKind, key: Uint8Array, message: string): void {
    this.#problems++
    this.#byKind[kind] = (this.#byKind[kind] ?? 0) + 1
    if (this.#listed.length < this.#maxListed) {
      this.#listed.push({ kind, key: Buffer.from(key).toString('hex'), message })
    }
  }

  #checkAbort(): void {
    if (this.#signal?.aborted) {
      throw new PdnsError('ERR_ABORTED', 'the check was interrupted', { cause: this.#signal.reason })
    }
  }

  #progress(): void {
    this.#onProgress?.({ phase: this.#phase, scanned: this.#scanned, estimatedTotal: this.#estimatedTotal })
  }

  /** After each batch: progress, and now and then a turn of the event loop so a signal can land. */
  async #afterBatch(): Promise<void> {
    this.#progress()
    if (++this.#batches % BATCHES_PER_YIELD === 0) {
      await new Promise((resolve) => setImmediate(resolve))
    }
    this.#checkAbort()
  }

  /** Feeds the entries of a range to `check` in batches of CHECK_BATCH. */
  async #scan(range: Range, values: boolean, check: (batch: [Buffer, Buffer][]) => void): Promise<void> {
    let batch: [Buffer, Buffer][] = []
    for (const entry of this.#db.range(range, { values })) {
      batch.push(entry)
      if (batch.length === CHECK_BATCH) {
        this.#scanned += batch.length
        check(batch)
        batch = []
        await this.#afterBatch()
      }
    }
    if (batch.length > 0) {
      this.#scanned += batch.length
      check(batch)
      await this.#afterBatch()
    }
  }

  // ---------------------------------------------------------------- META, ORIGIN

  #checkSchema(): void {
    const key = metaKey('schema')
    const [raw] = this.#db.getMany([key])
    if (raw === undefined) {
      this.#problem('schema', key, 'no schema version (META "schema" is missing)')
      return
    }
    const version = decodeU32(raw)
    if (version === null) {
      this.#problem('schema', key, `unreadable schema version ${raw.toString('hex')}`)
    } else if (version > SCHEMA_VERSION) {
      // a newer layout cannot be judged by this build's rules
      throw new PdnsError(
        'ERR_DB_SCHEMA',
        `the database has schema v${version}; this pdns-mesh checks up to v${SCHEMA_VERSION} (upgrade pdns-mesh)`,
      )
    } else if (version !== SCHEMA_VERSION) {
      this.#problem('schema', key, `schema v${version} does not exist (this build knows v${SCHEMA_VERSION})`)
    }
  }

  #checkOrigins(): void {
    // The origin tables are the one thing held whole: a node has a handful of vantages, and
    // Store.open loads them all the same way.
    for (const [key, value] of this.#db.range(ORIGINS_RANGE)) {
      this.#scanned++
      const id = decodeOriginKey(key)
      if (id === null) {
        this.#problem('origin', key, 'ORIGIN key does not decode')
        continue
      }
      this.#origins.set(id, value.toString('utf8'))
      this.#counts.origins++
    }
    const byLabel = new Map<string, number>()
    for (const [key, value] of this.#db.range({
      gte: Uint8Array.of(TAG_ORIGIN_BY_LABEL),
      lt: Uint8Array.of(TAG_ORIGIN_BY_LABEL + 1),
    })) {
      this.#scanned++
      const label = key.subarray(1).toString('utf8')
      const id = decodeU32(value)
      if (id === null) {
        this.#problem('origin', key, `ORIGIN# entry of "${label}" holds no origin number`)
        continue
      }
      byLabel.set(label, id)
      const there = this.#origins.get(id)
      if (there !== label) {
        this.#problem(
          'origin',
          key,
          there === undefined
            ? `ORIGIN# names "${label}" origin ${id}, which ORIGIN does not hold`
            : `ORIGIN# names "${label}" origin ${id}, which ORIGIN calls "${there}"`,
        )
      }
    }
    for (const [id, label] of this.#origins) {
      if (byLabel.get(label) !== id) {
        this.#problem('origin', keyOf(TAG_ORIGIN, id), `origin ${id} "${label}" has no ORIGIN# entry`)
      }
    }
    this.#progress()
  }

  // ---------------------------------------------------------------- RRSET

  #checkRecords(batch: [Buffer, Buffer][]): void {
    const good: RecordEntry[] = []
    for (const [key, raw] of batch) {
      this.#counts.records++
      const id = decodeRrsetKey(key)
      if (id === null || !reencodes(() => rrsetKey(id), key)) {
        this.#problem('bad-key', key, 'RRSET key does not decode')
        continue
      }
      if (id.kind !== 'rr') this.#counts.negatives++
      const decoded = decodeValue(raw)
      const value = decoded !== null && isStorableValue(decoded) ? decoded : null
      if (value === null) {
        this.#problem(
          'bad-value',
          key,
          `${describe(id, this.#origins)}: value ${raw.toString('hex')} ${decoded === null ? 'does not decode' : `is impossible (${JSON.stringify(decoded)})`}`,
        )
      }
      if (!this.#origins.has(id.origin)) {
        this.#problem(
          'unknown-origin',
          key,
          `${describe(id, this.#origins)}: origin ${id.origin} is not registered`,
        )
      }
      good.push({ key, id, raw, value })
    }
    // RDATA: an answer's entry holds a copy of its value
    const positives = good.filter((r) => r.id.kind === 'rr')
    const rd = this.#db.getMany(positives.map((r) => rdataKey(r.id)))
    for (let i = 0; i < positives.length; i++) {
      const r = positives[i]!
      const copy = rd[i]
      if (copy !== undefined) this.#found.rdata++
      if (copy === undefined)
        this.#problem('missing-rdata', r.key, `${describe(r.id, this.#origins)}: no RDATA entry`)
      else if (!copy.equals(r.raw)) {
        this.#problem(
          'rdata-mismatch',
          r.key,
          `${describe(r.id, this.#origins)}: RDATA entry holds ${copy.toString('hex')}, the record ${r.raw.toString('hex')}`,
        )
      }
    }
    // SEEN: one entry at last_seen (only a readable value says when that is)
    const timed = good.filter((r) => r.value !== null)
    const seen = this.#db.getMany(timed.map((r) => seenKey(r.value!.last, r.key)))
    for (let i = 0; i < timed.length; i++) {
      if (seen[i] !== undefined) this.#found.seen++
      else {
        const r = timed[i]!
        this.#problem(
          'missing-seen',
          r.key,
          `${describe(r.id, this.#origins)}: no SEEN entry at its last_seen ${r.value!.last}`,
        )
      }
    }
    // FWD: one per (name, type); a pair's records are neighbours, possibly across batches
    const pairs: RecordEntry[] = []
    for (const r of good) {
      const pair = `${r.id.rrname}\u0000${r.id.rrtype}`
      if (pair === this.#lastPair) continue
      this.#lastPair = pair
      pairs.push(r)
    }
    this.#counts.names += pairs.length
    const fwd = this.#db.getMany(pairs.map((r) => fwdKey(r.id.rrname, r.id.rrtype)))
    for (let i = 0; i < pairs.length; i++) {
      if (fwd[i] !== undefined) {
        this.#found.fwd++
        continue
      }
      const r = pairs[i]!
      this.#problem('missing-fwd', r.key, `${r.id.rrname} ${typeName(r.id.rrtype)}: no FWD entry`)
    }
  }

  // ---------------------------------------------------------------- RDATA, FWD, SEEN

  /**
   * First pass over an index: counts its entries, reports those that do not decode as the store
   * writes them, and returns how many do. Each of those is at most one record's entry.
   */
  async #countIndex(range: Range, index: 'rdata' | 'fwd' | 'seen'): Promise<number> {
    let valid = 0
    await this.#scan(range, false, (batch) => {
      for (const [key] of batch) {
        this.#counts[index]++
        if (indexEntry(index, key) !== null) valid++
        else this.#problem('bad-key', key, `${index.toUpperCase()} key does not decode`)
      }
    })
    return valid
  }

  #findOrphanRdata(batch: [Buffer, Buffer][]): void {
    const good: { key: Buffer; id: RecordId }[] = []
    for (const [key] of batch) {
      const id = indexEntry('rdata', key) as RecordId | null
      if (id !== null) good.push({ key, id })
    }
    const records = this.#db.getMany(good.map((r) => rrsetKey(r.id)))
    for (let i = 0; i < good.length; i++) {
      if (records[i] !== undefined) continue
      const r = good[i]!
      this.#problem('orphan-rdata', r.key, `RDATA entry of ${describe(r.id, this.#origins)}: no such record`)
    }
  }

  /** A FWD entry has no exact record key: one short scan of its name and type each. */
  #findOrphanFwd(batch: [Buffer, Buffer][]): void {
    for (const [key] of batch) {
      const f = decodeFwdKey(key)
      if (f === null || indexEntry('fwd', key) === null) continue
      let found = false
      for (const _ of this.#db.range(rrsetTypeRange(f.rrname, f.rrtype), { values: false })) {
        found = true
        break
      }
      if (!found) {
        this.#problem('orphan-fwd', key, `FWD entry of ${f.rrname} ${typeName(f.rrtype)}: no such record`)
      }
    }
  }

  #findExtraSeen(batch: [Buffer, Buffer][]): void {
    const good: { key: Buffer; lastSeen: number; rrset: Buffer }[] = []
    for (const [key] of batch) {
      const s = decodeSeenKey(key)
      if (s !== null) good.push({ key, ...s })
    }
    const records = this.#db.getMany(good.map((s) => s.rrset))
    for (let i = 0; i < good.length; i++) {
      const s = good[i]!
      const raw = records[i]
      const id = decodeRrsetKey(s.rrset)
      const what = id === null ? s.rrset.toString('hex') : describe(id, this.#origins)
      if (raw === undefined) {
        this.#problem('orphan-seen', s.key, `SEEN entry at ${s.lastSeen} of ${what}: no such record`)
        continue
      }
      const v = decodeValue(raw)
      // an unreadable or impossible value is reported with its record; its SEEN entry cannot be judged
      if (v !== null && isStorableValue(v) && v.last !== s.lastSeen) {
        this.#problem('stale-seen', s.key, `SEEN entry at ${s.lastSeen} of ${what}, last seen ${v.last}`)
      }
    }
  }

  // ---------------------------------------------------------------- the rest

  /** Keys outside every table: between ORIGIN# and RRSET, and after SEEN. */
  async #checkUnknownTags(): Promise<void> {
    const gaps: Range[] = [
      { gte: Uint8Array.of(TAG_ORIGIN_BY_LABEL + 1), lt: Uint8Array.of(TAG_RRSET) },
      { gte: Uint8Array.of(TAG_SEEN + 1) },
    ]
    for (const gap of gaps) {
      await this.#scan(gap, false, (batch) => {
        for (const [key] of batch)
          this.#problem('unknown-key', key, `key with unknown tag 0x${hex2(key[0]!)}`)
      })
    }
  }
}

/**
 * What an index key says, when it decodes and re-encodes to the same bytes (so that it is the one
 * entry of one record, or of one name and type); null otherwise. A SEEN key is taken as it is: its
 * second pass looks its record key up byte for byte.
 */
function indexEntry(index: 'rdata' | 'fwd' | 'seen', key: Buffer): unknown {
  if (index === 'seen') return decodeSeenKey(key)
  if (index === 'rdata') {
    const id = decodeRdataKey(key)
    return id !== null && reencodes(() => rdataKey(id), key) ? id : null
  }
  const f = decodeFwdKey(key)
  return f !== null && reencodes(() => fwdKey(f.rrname, f.rrtype), key) ? f : null
}

/** Whether re-encoding a decoded key gives the same bytes (a name that does not encode throws). */
function reencodes(encode: () => Buffer, key: Buffer): boolean {
  try {
    return encode().equals(key)
  } catch {
    return false
  }
}

function describe(id: RecordId, origins: ReadonlyMap<number, string>): string {
  const what = id.kind === 'rr' ? id.rdata : id.kind.toUpperCase()
  return `${id.rrname} ${typeName(id.rrtype)} ${what} (origin ${origins.get(id.origin) ?? `#${id.origin}`})`
}

function keyOf(tag: number, id: number): Buffer {
  const b = Buffer.alloc(5)
  b[0] = tag
  b.writeUInt32BE(id, 1)
  return b
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0')
}
