/**
 * Names first seen at or after T (the newly-observed-domains feed), newest first, from the FIRST
 * index: one reverse range scan of `0x14 u32(first_seen) …` from the top down to T, so a day's new
 * names cost the records that appeared that day, never a scan of the whole store.
 *
 * FIRST lists records; a name is new only when none of its answers (of the asked type and vantage)
 * was seen before T. So each name met in the scan is looked up once (a short RRSET scan of that name)
 * for its merged view. The name is listed at exactly one FIRST entry: the highest key among its
 * entries at the name's earliest first_seen. That keeps the order newest first by the name's own
 * first sighting, lists each name once, and lets a page resume strictly below the last entry listed.
 */
import { typeName } from '../dns/constants.ts'
import { PdnsError } from '../errors.ts'
import {
  decodeRrsetKey,
  firstKey,
  firstRange,
  originOfKey,
  rrsetNameRange,
  rrsetTypeRange,
  TAG_RRSET,
} from '../store/keys.ts'
import type { Store } from '../store/store.ts'
import { decodeValue, MAX_STORED_TIME } from '../store/value.ts'
import { decodeCursor, encodeCursor, fingerprint } from './cursor.ts'
import { MAX_QUERY_LIMIT, NEW_NAMES_MEMO_NAMES } from './limits.ts'
import { DEFAULT_LIMIT, type NewName, type NewNamesPage, type NewNamesQuery } from './types.ts'

const T_ANY = 255
/** a FIRST key is its tag, the u32 first_seen, then the RRSET key without its tag */
const FIRST_HEAD = 5

interface Options {
  signal?: AbortSignal | undefined
}

/** A name's verdict: null when it was seen before `since`, else its view and where to list it. */
type Verdict = { name: NewName; at: Buffer } | null

export function newNames(store: Store, q: NewNamesQuery, opts: Options = {}): NewNamesPage {
  if (!Number.isInteger(q.since) || q.since < 0 || q.since > MAX_STORED_TIME) {
    throw new PdnsError('ERR_BAD_QUERY', `since: ${q.since} is not a time the store holds (epoch seconds)`)
  }
  const max = q.limit ?? DEFAULT_LIMIT
  if (!Number.isInteger(max) || max < 1 || max > MAX_QUERY_LIMIT) {
    throw new PdnsError(
      'ERR_BAD_QUERY',
      `invalid limit: ${q.limit} (1 to ${MAX_QUERY_LIMIT}; page with --cursor)`,
    )
  }
  let only: number | null = null
  if (q.origin !== undefined) {
    const id = store.findOrigin(q.origin)
    if (id === undefined)
      throw new PdnsError('ERR_BAD_QUERY', `unknown origin (vantage): ${JSON.stringify(q.origin)}`)
    only = id
  }
  const rrtype = q.rrtype === undefined || q.rrtype === T_ANY ? null : q.rrtype
  // the RRSET key body of every name at or below the zone starts with these bytes
  const zone = q.under === undefined ? null : rrsetNameRange(q.under, true).gte.subarray(1)
  // `since` is left out: a relative --since (-24h) is a few seconds later on the next page's command
  // line, and the cursor's key must lie at or after it anyway (checked below)
  const { since: _since, ...asked } = q
  const fp = fingerprint({ lookup: 'new', ...asked })
  const range = firstRange(q.since, MAX_STORED_TIME)
  if (q.cursor !== undefined) {
    const { after } = decodeCursor(fp, q.cursor)
    if (Buffer.compare(after, range.gte) < 0 || Buffer.compare(after, range.lt) >= 0) {
      throw new PdnsError('ERR_BAD_QUERY', 'the cursor does not belong to this query')
    }
    range.lt = after
  }
  const filter: Filter = { only, rrtype }
  const memo = new Map<string, Verdict>()
  const names: NewName[] = []
  let last: Buffer | null = null
  for (const rows of store.rows({ ...range, reverse: true }, { values: false })) {
    if (opts.signal?.aborted)
      throw new PdnsError('ERR_ABORTED', 'query cancelled', { cause: opts.signal.reason })
    for (let i = 0; i < rows.length; i += 2) {
      const key = rows[i]!
      if (zone !== null && key.compare(zone, 0, zone.length, FIRST_HEAD, FIRST_HEAD + zone.length) !== 0)
        continue
      const rrset = Buffer.concat([Uint8Array.of(TAG_RRSET), key.subarray(FIRST_HEAD)])
      const id = decodeRrsetKey(rrset)
      if (id === null) throw new PdnsError('ERR_DB_CORRUPT', `undecodable key ${key.toString('hex')}`)
      if (
        id.kind !== 'rr' ||
        (rrtype !== null && id.rrtype !== rrtype) ||
        (only !== null && id.origin !== only)
      ) {
        continue
      }
      let verdict = memo.get(id.rrname)
      if (verdict === undefined) {
        verdict = judge(store, id.rrname, q.since, filter)
        if (memo.size >= NEW_NAMES_MEMO_NAMES) memo.clear()
        memo.set(id.rrname, verdict)
      }
      if (verdict === null || !verdict.at.equals(key)) continue
      if (names.length === max) return { names, cursor: encodeCursor(fp, { after: last! }) }
      names.push(verdict.name)
      last = key
    }
  }
  return { names, cursor: null }
}

interface Filter {
  only: number | null
  rrtype: number | null
}

/** The merged view of a name's answers that pass the filter, and the FIRST key it is listed at. */
function judge(store: Store, name: string, since: number, f: Filter): Verdict {
  const range = f.rrtype === null ? rrsetNameRange(name, false) : rrsetTypeRange(name, f.rrtype)
  let first = Number.POSITIVE_INFINITY
  let last = 0
  let count = 0
  let records = 0
  let at: Buffer | null = null
  let prevRecord: Buffer | null = null
  const types = new Set<number>()
  const vantages = new Map<number, { first: number; last: number; count: number }>()
  for (const [key, value] of store.range(range)) {
    const id = decodeRrsetKey(key)
    const v = decodeValue(value)
    if (id === null || v === null)
      throw new PdnsError('ERR_DB_CORRUPT', `undecodable record ${key.toString('hex')}`)
    if (id.kind !== 'rr' || (f.only !== null && id.origin !== f.only)) continue
    // keys ascend, so the last entry at the earliest first_seen is the highest FIRST key there
    if (v.first < first) first = v.first
    if (v.first === first) at = key
    if (v.last > last) last = v.last
    count += v.count
    types.add(id.rrtype)
    const record = key.subarray(0, key.length - 4)
    if (prevRecord === null || !record.equals(prevRecord)) records++
    prevRecord = record
    const origin = originOfKey(key)
    const view = vantages.get(origin)
    if (view === undefined) vantages.set(origin, { first: v.first, last: v.last, count: v.count })
    else {
      view.first = Math.min(view.first, v.first)
      view.last = Math.max(view.last, v.last)
      view.count += v.count
    }
  }
  if (at === null || first < since) return null
  return {
    at: firstKey(first, at),
    name: {
      name,
      first,
      last,
      count,
      records,
      rrtypes: [...types].sort((a, b) => a - b).map(typeName),
      vantages: [...vantages.entries()]
        .map(([o, view]) => ({ origin: store.originLabel(o), ...view }))
        .sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0)),
    },
  }
}
