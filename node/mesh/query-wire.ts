/**
 * Queries and answers between the node's model (node/query/types.ts) and the wire's text form
 * (protocol QueryRequest/QueryRecord). The wire carries a query as the CLI's own text (patterns,
 * addresses, ranges, types), so the answering node validates it with exactly the parser its CLI
 * uses (node/query/parse.ts); anything it refuses comes back as an error, never as an exception.
 */
import type { QueryRequest, WireRecord, WireSummary } from '../../protocol/index.ts'
import { ipv4, ipv6 } from '../dns/rdata/address.ts'
import { PdnsError } from '../errors.ts'
import { MAX_QUERY_LIMIT } from '../query/limits.ts'
import { normalizeName, parseNamePattern, parseRawHex, parseRdataTarget, parseType } from '../query/parse.ts'
import type {
  NamePattern,
  NameSummary,
  NewNamesQuery,
  RdataQuery,
  RdataTarget,
  ResultRecord,
  RrsetQuery,
  TimeFence,
} from '../query/types.ts'
import { overall } from './merge.ts'

export type MeshQuery =
  | { lookup: 'rrset'; query: RrsetQuery }
  | { lookup: 'rdata'; query: RdataQuery }
  | { lookup: 'summary'; name: string; origin?: string }
  | { lookup: 'new'; query: NewNamesQuery }

function patternText(p: NamePattern): string {
  switch (p.kind) {
    case 'exact':
      return p.name
    case 'below':
      return `*.${p.name}`
    case 'one-below':
      return `+.${p.name}`
    case 'right':
      return `${p.leading}.*`
  }
}

function addressText(a: Uint8Array): string {
  return a.length === 4 ? ipv4(a, 0) : ipv6(a, 0)
}

function targetText(t: RdataTarget): { value: string; raw: boolean } {
  switch (t.kind) {
    case 'address':
      return { value: `${addressText(t.lo)}-${addressText(t.hi)}`, raw: false }
    case 'name':
      return { value: t.below ? `*.${t.name}` : t.name, raw: false }
    case 'raw':
      return { value: Buffer.from(t.bytes).toString('hex'), raw: true }
  }
}

const EMPTY: Omit<QueryRequest, 'lookup' | 'value'> = {
  rrtype: '',
  bailiwick: '',
  first_after: 0,
  first_before: 0,
  last_after: 0,
  last_before: 0,
  limit: 0,
  cursor: '',
  raw: false,
  origin: '',
}

/** The wire request of a query (the cursor is a node's own: a mesh query asks each peer from the start). */
export function toWireRequest(q: MeshQuery): QueryRequest {
  if (q.lookup === 'summary') return { ...EMPTY, lookup: 'summary', value: q.name, origin: q.origin ?? '' }
  if (q.lookup === 'new') {
    return {
      ...EMPTY,
      lookup: 'new',
      value: q.query.under ?? '',
      first_after: q.query.since,
      rrtype: q.query.rrtype === undefined ? '' : `TYPE${q.query.rrtype}`,
      limit: q.query.limit ?? 0,
      origin: q.query.origin ?? '',
    }
  }
  const common = {
    ...EMPTY,
    rrtype: q.query.rrtype === undefined ? '' : `TYPE${q.query.rrtype}`,
    first_after: q.query.fence?.firstAfter ?? 0,
    first_before: q.query.fence?.firstBefore ?? 0,
    last_after: q.query.fence?.lastAfter ?? 0,
    last_before: q.query.fence?.lastBefore ?? 0,
    limit: q.query.limit ?? 0,
    origin: q.query.origin ?? '',
  }
  if (q.lookup === 'rrset') {
    return {
      ...common,
      lookup: 'rrset',
      value: patternText(q.query.name),
      bailiwick: q.query.bailiwick ?? '',
    }
  }
  return { ...common, lookup: 'rdata', ...targetText(q.query.target) }
}

/** The query a peer asked, validated as the CLI validates it (ERR_BAD_QUERY otherwise). */
export function fromWireRequest(r: QueryRequest): MeshQuery {
  if (r.lookup === 'summary') {
    return {
      lookup: 'summary',
      name: normalizeName(r.value),
      ...(r.origin === '' ? {} : { origin: r.origin }),
    }
  }
  if (r.lookup === 'new') {
    const q: NewNamesQuery = {
      since: r.first_after,
      limit: r.limit === 0 ? MAX_QUERY_LIMIT : Math.min(r.limit, MAX_QUERY_LIMIT),
    }
    if (r.value !== '') q.under = normalizeName(r.value, 'zone')
    if (r.rrtype !== '') q.rrtype = parseType(r.rrtype)
    if (r.origin !== '') q.origin = r.origin
    return { lookup: 'new', query: q }
  }
  const fence: TimeFence = {}
  if (r.first_after > 0) fence.firstAfter = r.first_after
  if (r.first_before > 0) fence.firstBefore = r.first_before
  if (r.last_after > 0) fence.lastAfter = r.last_after
  if (r.last_before > 0) fence.lastBefore = r.last_before
  const common: Omit<RrsetQuery, 'name'> = {
    limit: r.limit === 0 ? MAX_QUERY_LIMIT : Math.min(r.limit, MAX_QUERY_LIMIT),
  }
  if (r.rrtype !== '') common.rrtype = parseType(r.rrtype)
  if (Object.keys(fence).length > 0) common.fence = fence
  if (r.origin !== '') common.origin = r.origin
  if (r.lookup === 'rrset') {
    const q: RrsetQuery = { ...common, name: parseNamePattern(r.value) }
    if (r.bailiwick !== '') q.bailiwick = normalizeName(r.bailiwick, 'bailiwick')
    return { lookup: 'rrset', query: q }
  }
  if (r.bailiwick !== '') throw new PdnsError('ERR_BAD_QUERY', 'a bailiwick applies to rrset lookups only')
  return {
    lookup: 'rdata',
    query: { ...common, target: r.raw ? parseRawHex(r.value) : parseRdataTarget(r.value) },
  }
}

export function toWireRecord(r: ResultRecord): WireRecord {
  return {
    kind: r.kind,
    rrname: r.rrname,
    rrtype: r.rrtype,
    rdata: r.rdata,
    bailiwick: r.bailiwick ?? '',
    vantages: r.vantages.map((v) => ({ origin: v.origin, first: v.first, last: v.last, count: v.count })),
  }
}

export function fromWireRecord(w: WireRecord): ResultRecord {
  return {
    kind: w.kind,
    rrname: w.rrname,
    rrtype: w.rrtype,
    rdata: w.rdata,
    bailiwick: w.bailiwick === '' ? null : w.bailiwick,
    ...overall(w.vantages.map((v) => ({ ...v }))),
  }
}

export function toWireSummary(s: NameSummary): WireSummary {
  return {
    name: s.name,
    first: s.first,
    last: s.last,
    count: s.count,
    records: s.records,
    types: s.types,
    nxdomain: s.negatives.nxdomain,
    nodata: s.negatives.nodata,
    vantages: s.vantages,
  }
}

export function fromWireSummary(s: WireSummary): NameSummary {
  return {
    name: s.name,
    first: s.first,
    last: s.last,
    count: s.count,
    records: s.records,
    types: s.types,
    negatives: { nxdomain: s.nxdomain, nodata: s.nodata },
    vantages: s.vantages,
  }
}
