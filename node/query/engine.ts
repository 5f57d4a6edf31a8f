/**
 * Query execution over the store: each lookup is one range scan of the RRSET or RDATA keys (right
 * wildcards walk the FWD index, then one scan per name and type). A record's origins are neighbours in
 * key order, so entries are grouped as they stream by, merged (first = min, last = max, count = sum)
 * and filtered; paging resumes after the last record's key.
 */
import { typeName } from '../dns/constants.ts'
import { PdnsError } from '../errors.ts'
import {
  decodeFwdKey,
  decodeRdataKey,
  decodeRrsetKey,
  fwdPrefixRange,
  isKeyOfRecord,
  originOfKey,
  type RecordId,
  RRSET_RANGE,
  rdataAddressRange,
  rdataNameRange,
  rdataTextRange,
  recordPrefix,
  rrsetNameRange,
  rrsetTypeRange,
  successor,
} from '../store/keys.ts'
import { parseName } from '../store/names.ts'
import type { Range } from '../store/rocks.ts'
import type { Store } from '../store/store.ts'
import { decodeOriginValue, type OriginValue } from '../store/value.ts'
import { type CursorState, decodeCursor, encodeCursor, fingerprint } from './cursor.ts'
import { MAX_QUERY_LIMIT } from './limits.ts'
import { newNames } from './new-names.ts'
import {
  DEFAULT_LIMIT,
  type NameSummary,
  type NewNamesPage,
  type NewNamesQuery,
  type Page,
  type RdataQuery,
  type ResultRecord,
  type RrsetQuery,
  type TimeFence,
  type VantageView,
} from './types.ts'

const T_ANY = 255

export interface EngineOptions {
  signal?: AbortSignal | undefined
}

/** One record with all its vantages, before filtering; `prefix` is its key without the origin. */
interface Group {
  prefix: Buffer
  id: RecordId
  vantages: OriginValue[]
  /** right wildcards: the FWD key the record was reached through (a cursor resumes there) */
  fwd?: Buffer
}

export class QueryEngine {
  readonly #store: Store

  constructor(store: Store) {
    this.#store = store
  }

  rrset(q: RrsetQuery, opts: EngineOptions = {}): Page {
    const state = q.cursor === undefined ? null : decodeCursor(fingerprint(q), q.cursor)
    const filter = this.#filter(q, q.rrtype, q.kinds, q.bailiwick)
    const pattern = q.name
    const rrtype = q.rrtype === undefined || q.rrtype === T_ANY ? null : q.rrtype
    let groups: Generator<Group>
    if (pattern.kind === 'right') {
      groups = this.#rightWildcard(pattern.leading, rrtype, state, opts)
    } else {
      let range: Range
      if (pattern.kind === 'exact') {
        range = rrtype === null ? rrsetNameRange(pattern.name, false) : rrsetTypeRange(pattern.name, rrtype)
      } else {
        range = rrsetNameRange(pattern.name, true)
      }
      let depth = -1
      if (pattern.kind === 'one-below') depth = parseName(pattern.name)!.length + 1
      // an exact name's blocks are cached for the lookups to come; a wildcard's scan is not
      groups = this.#groups(resume(range, state), decodeRrsetKey, opts, pattern.kind === 'exact')
      if (depth >= 0) groups = onlyDepth(groups, depth)
    }
    return this.#page(q, groups, filter, q.limit)
  }

  rdata(q: RdataQuery, opts: EngineOptions = {}): Page {
    const state = q.cursor === undefined ? null : decodeCursor(fingerprint(q), q.cursor)
    const t = q.target
    let range: Range
    if (t.kind === 'address') {
      if (t.lo.length !== t.hi.length || (t.lo.length !== 4 && t.lo.length !== 16)) {
        throw new PdnsError('ERR_BAD_QUERY', 'an address range needs two addresses of one family')
      }
      range = rdataAddressRange(t.lo, t.hi)
    } else if (t.kind === 'name') {
      range = rdataNameRange(t.name, t.below)
    } else {
      // other types are indexed by their presentation text; raw bytes match the RFC 3597 generic form
      const hex = Buffer.from(t.bytes).toString('hex').toUpperCase()
      range = rdataTextRange(`\\# ${t.bytes.length} ${hex}`, false)
    }
    const filter = this.#filter(q, q.rrtype, undefined, undefined)
    const narrow = t.kind !== 'name' || !t.below
    const groups = this.#groups(resume(range, state), decodeRdataKey, opts, narrow)
    return this.#page(q, groups, filter, q.limit)
  }

  summary(name: string, opts: EngineOptions & { origin?: string | undefined } = {}): NameSummary | null {
    const only = opts.origin === undefined ? null : this.#originId(opts.origin)
    const types = new Map<number, { records: number; count: number }>()
    const vantages = new Map<number, { records: number; count: number }>()
    const out: NameSummary = {
      name,
      first: Number.POSITIVE_INFINITY,
      last: 0,
      count: 0,
      records: 0,
      types: [],
      negatives: { nxdomain: 0, nodata: 0 },
      vantages: [],
    }
    for (const g of this.#groups(rrsetNameRange(name, false), decodeRrsetKey, opts, true)) {
      const vs = only === null ? g.vantages : g.vantages.filter((v) => v.origin === only)
      if (vs.length === 0) continue
      out.records++
      let count = 0
      for (const v of vs) {
        if (v.first < out.first) out.first = v.first
        if (v.last > out.last) out.last = v.last
        count += v.count
        const s = vantages.get(v.origin) ?? { records: 0, count: 0 }
        s.records++
        s.count += v.count
        vantages.set(v.origin, s)
      }
      out.count += count
      if (g.id.kind === 'nxdomain') out.negatives.nxdomain++
      else if (g.id.kind === 'nodata') out.negatives.nodata++
      const ts = types.get(g.id.rrtype) ?? { records: 0, count: 0 }
      ts.records++
      ts.count += count
      types.set(g.id.rrtype, ts)
    }
    if (out.records === 0) return null
    out.types = [...types.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([t, s]) => ({ rrtype: typeName(t), records: s.records, count: s.count }))
    out.vantages = [...vantages.entries()]
      .map(([o, s]) => ({ origin: this.#store.originLabel(o), records: s.records, count: s.count }))
      .sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0))
    return out
  }

  /** Names first seen at or after q.since, newest first (new-names.ts: a reverse scan of FIRST). */
  newNames(q: NewNamesQuery, opts: EngineOptions = {}): NewNamesPage {
    return newNames(this.#store, q, opts)
  }

  /** Every record, one entry per (record, origin); a record's origins in label order, so the output does not depend on origin numbering. */
  *export(opts: EngineOptions = {}): Generator<ResultRecord> {
    for (const g of this.#groups(RRSET_RANGE, decodeRrsetKey, opts, false)) {
      const views = g.vantages
        .map((v) => ({ ...v, label: this.#store.originLabel(v.origin) }))
        .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
      for (const v of views) {
        yield result(g.id, [{ origin: v.label, first: v.first, last: v.last, count: v.count }])
      }
    }
  }

  #originId(label: string): number {
    const id = this.#store.findOrigin(label)
    if (id === undefined)
      throw new PdnsError('ERR_BAD_QUERY', `unknown origin (vantage): ${JSON.stringify(label)}`)
    return id
  }

  /** Merged view of a group after the query's filters, or null when it does not qualify. */
  #filter(
    q: { fence?: TimeFence | undefined; origin?: string | undefined },
    rrtype: number | undefined,
    kinds: readonly string[] | undefined,
    bailiwick: string | undefined,
  ): (g: Group) => ResultRecord | null {
    const only = q.origin === undefined ? null : this.#originId(q.origin)
    const fence = q.fence ?? {}
    const type = rrtype === undefined || rrtype === T_ANY ? null : rrtype
    const kindSet = kinds === undefined ? null : new Set(kinds)
    return (g) => {
      if (type !== null && g.id.rrtype !== type) return null
      if (kindSet !== null && !kindSet.has(g.id.kind)) return null
      if (bailiwick !== undefined && g.id.bailiwick !== bailiwick) return null
      const vs = only === null ? g.vantages : g.vantages.filter((v) => v.origin === only)
      if (vs.length === 0) return null
      const views: VantageView[] = vs.map((v) => ({
        origin: this.#store.originLabel(v.origin),
        first: v.first,
        last: v.last,
        count: v.count,
      }))
      const r = result(g.id, views)
      // DNSDB/dnstable fences, inclusive as dnstable's query.c applies them
      if (fence.firstAfter !== undefined && r.first < fence.firstAfter) return null
      if (fence.firstBefore !== undefined && r.first > fence.firstBefore) return null
      if (fence.lastAfter !== undefined && r.last < fence.lastAfter) return null
      if (fence.lastBefore !== undefined && r.last > fence.lastBefore) return null
      return r
    }
  }

  #page(
    /** the query, fingerprinted only for a cursor (a hash per lookup would cost short answers) */
    q: RrsetQuery | RdataQuery,
    groups: Generator<Group>,
    filter: (g: Group) => ResultRecord | null,
    limit: number | undefined,
  ): Page {
    const max = limit ?? DEFAULT_LIMIT
    if (!Number.isInteger(max) || max < 1 || max > MAX_QUERY_LIMIT) {
      throw new PdnsError(
        'ERR_BAD_QUERY',
        `invalid limit: ${limit} (1 to ${MAX_QUERY_LIMIT}; page with --cursor)`,
      )
    }
    const records: ResultRecord[] = []
    let last: Group | null = null
    for (const g of groups) {
      const r = filter(g)
      if (r === null) continue
      if (records.length === max) {
        // one more qualifies: there is a next page, resuming after the last record returned
        const state: CursorState = { after: last!.prefix }
        if (last!.fwd !== undefined) state.fwd = last!.fwd
        return { records, cursor: encodeCursor(fingerprint(q), state) }
      }
      records.push(r)
      last = g
    }
    return { records, cursor: null }
  }

  /** Entries of a range grouped per record (a record's origins are adjacent: the origin ends the key). */
  *#groups(
    range: Range,
    decode: (key: Uint8Array) => RecordId | null,
    opts: EngineOptions,
    /** whether the blocks read go into the block cache (Rocks RowsOptions): narrow lookups only */
    fillCache: boolean,
  ): Generator<Group> {
    let cur: Group | null = null
    // the signal is checked once per chunk (at most 1000 entries)
    for (const rows of this.#store.rows(range, { fillCache })) {
      if (opts.signal?.aborted) {
        throw new PdnsError('ERR_ABORTED', 'query cancelled', { cause: opts.signal.reason })
      }
      for (let i = 0; i < rows.length; i += 2) {
        const key = rows[i]!
        const value = rows[i + 1]!
        const v = decodeOriginValue(value, originOfKey(key))
        if (v === null) {
          throw new PdnsError('ERR_DB_CORRUPT', `undecodable value under key ${key.toString('hex')}`)
        }
        if (cur !== null && isKeyOfRecord(key, cur.prefix)) {
          cur.vantages.push(v)
          continue
        }
        if (cur !== null) yield cur
        const id = decode(key)
        if (id === null) throw new PdnsError('ERR_DB_CORRUPT', `undecodable key ${key.toString('hex')}`)
        cur = {
          prefix: recordPrefix(key),
          id,
          vantages: [v],
        }
      }
    }
    if (cur !== null) yield cur
  }

  *#rightWildcard(
    leading: string,
    rrtype: number | null,
    state: CursorState | null,
    opts: EngineOptions,
  ): Generator<Group> {
    const fwdRange: Range = fwdPrefixRange(leading)
    if (state !== null) {
      if (state.fwd === undefined || !within(state.fwd, fwdRange)) {
        throw new PdnsError('ERR_BAD_QUERY', 'the cursor does not belong to this query')
      }
      fwdRange.gte = state.fwd
    }
    // one (name, type) at a time: the inner scans are independent RocksDB iterators
    for (const [fwdKey] of this.#store.range(fwdRange, { values: false })) {
      const f = decodeFwdKey(fwdKey)
      if (f === null) throw new PdnsError('ERR_DB_CORRUPT', `undecodable key ${fwdKey.toString('hex')}`)
      if (rrtype !== null && f.rrtype !== rrtype) continue
      const resumeHere = state?.fwd?.equals(fwdKey) ? state : null
      for (const g of this.#groups(
        resume(rrsetTypeRange(f.rrname, f.rrtype), resumeHere),
        decodeRrsetKey,
        opts,
        true,
      )) {
        g.fwd = fwdKey
        yield g
      }
    }
  }
}

const byOrigin = (a: VantageView, b: VantageView) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0)

function result(id: RecordId, vantages: VantageView[]): ResultRecord {
  let first = Number.POSITIVE_INFINITY
  let last = 0
  let count = 0
  for (const v of vantages) {
    if (v.first < first) first = v.first
    if (v.last > last) last = v.last
    count += v.count
  }
  if (vantages.length > 1) vantages.sort(byOrigin)
  return {
    kind: id.kind,
    rrname: id.rrname,
    rrtype: typeName(id.rrtype),
    rdata: id.rdata,
    bailiwick: id.bailiwick,
    first,
    last,
    count,
    vantages,
  }
}

/** The range narrowed to start after the cursor's record (all its origins). */
function resume(range: Range, state: CursorState | null): Range {
  if (state === null) return range
  // a cursor is only trusted to point inside its own query's range (it is not signed)
  if (!within(state.after, range))
    throw new PdnsError('ERR_BAD_QUERY', 'the cursor does not belong to this query')
  const from = Buffer.from(successor(state.after))
  if (range.gte !== undefined && Buffer.compare(from, range.gte) <= 0) return range
  return { gte: from, ...(range.lt === undefined ? {} : { lt: range.lt }) }
}

function within(key: Uint8Array, range: Range): boolean {
  if (range.gte !== undefined && Buffer.compare(key, range.gte) < 0) return false
  if (range.lt !== undefined && Buffer.compare(key, range.lt) >= 0) return false
  return true
}

function* onlyDepth(gen: Generator<Group>, depth: number): Generator<Group> {
  for (const g of gen) {
    if (parseName(g.id.rrname)?.length === depth) yield g
  }
}
