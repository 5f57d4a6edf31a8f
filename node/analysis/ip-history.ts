/**
 * Question 5, "has the name hopped between IPs?": the name's A/AAAA addresses over time (per address
 * first, last, count), the days on which the set changed, and the fast-flux assessment of
 * flux-score.ts. Three rrset lookups: A, AAAA, and NS of the registered domain (Holz's nNS).
 */
import { getDomain } from 'tldts'
import type { CallOptions, ResultRecord, TimeFence } from '../query/types.ts'
import { parseIP } from '../store/ip.ts'
import type { AsnTable } from './asn-table.ts'
import { type AnalysisComponents, collectRrset, scopeOf, vantagesOf } from './collect-pages.ts'
import {
  type AddressSpell,
  assessFlux,
  type DailyChange,
  dailyChanges,
  type FluxAssessment,
} from './flux-score.ts'
import { formatAddress } from './ip-prefix.ts'
import { MAX_HISTORY_DAYS, MAX_HISTORY_RESULTS } from './limits.ts'

const T_A = 1
const T_NS = 2
const T_AAAA = 28

export interface IpHistoryArgs {
  /** canonical name (query/parse.ts normalizeName) */
  name: string
  fence?: TimeFence
  origin?: string
  asnTable?: AsnTable
}

export interface AddressHistory {
  address: string
  rrtype: 'A' | 'AAAA'
  first: number
  last: number
  count: number
  vantages: string[]
  /** only with an --asn-table: the announcing AS, null when the table does not cover the address */
  asn?: number | null
}

export interface IpHistoryAnswer {
  name: string
  /** oldest first */
  addresses: AddressHistory[]
  /** days on which addresses came or went (newest MAX_HISTORY_DAYS) */
  daily: DailyChange[]
  flux: FluxAssessment
  limited: boolean
}

/** A record with the optional TTL range a later schema may keep. */
type MaybeTtl = ResultRecord & { ttlMin?: number; ttlMax?: number }

/** The A/AAAA answer records as address spells (others, and rdata that is not an address, skipped). */
export function spellsOf(records: readonly ResultRecord[]): (AddressSpell & { record: ResultRecord })[] {
  const out: (AddressSpell & { record: ResultRecord })[] = []
  for (const r of records as readonly MaybeTtl[]) {
    if (r.kind !== 'rr' || (r.rrtype !== 'A' && r.rrtype !== 'AAAA')) continue
    const bytes = parseIP(r.rdata)
    if (bytes === null) continue
    out.push({
      address: formatAddress(bytes),
      bytes,
      first: r.first,
      last: r.last,
      count: r.count,
      ttlMin: r.ttlMin,
      ttlMax: r.ttlMax,
      record: r,
    })
  }
  return out
}

/**
 * The records with the TTL range the store keeps of its own observations (schema v2), where the
 * backend can tell (a store in this process: LocalBackend.ttl); over a node's socket or the mesh,
 * TTLs are not carried and the TTL feature stays unknown.
 */
function withTtls(backend: AnalysisComponents['backend'], records: ResultRecord[]): MaybeTtl[] {
  const b = backend as { ttl?: (r: readonly ResultRecord[]) => ({ min: number; max: number } | null)[] }
  if (typeof b.ttl !== 'function') return records
  const ttls = b.ttl(records)
  return records.map((r, i) => {
    const t = ttls[i]
    return t === null || t === undefined ? r : { ...r, ttlMin: t.min, ttlMax: t.max }
  })
}

export async function ipHistory(
  { backend }: AnalysisComponents,
  args: IpHistoryArgs,
  { signal }: CallOptions = {},
): Promise<IpHistoryAnswer> {
  const common = {
    kinds: ['rr' as const],
    ...scopeOf(args),
  }
  const name = { kind: 'exact' as const, name: args.name }
  const a = await collectRrset(backend, { ...common, name, rrtype: T_A }, MAX_HISTORY_RESULTS, { signal })
  const aaaa = await collectRrset(backend, { ...common, name, rrtype: T_AAAA }, MAX_HISTORY_RESULTS, {
    signal,
  })
  // Holz's nNS (weight 0 in the published classifier, reported as a feature): NS of the zone the
  // name is registered under, without fences (the delegation outlives any one address)
  const zone = getDomain(args.name) ?? args.name
  const ns = await collectRrset(
    backend,
    {
      name: { kind: 'exact', name: zone },
      rrtype: T_NS,
      kinds: ['rr'],
      ...(args.origin === undefined ? {} : { origin: args.origin }),
    },
    MAX_HISTORY_RESULTS,
    { signal },
  )
  const spells = spellsOf(withTtls(backend, [...a.records, ...aaaa.records])).sort(
    (x, y) => x.first - y.first || Buffer.compare(x.bytes, y.bytes),
  )
  const flux = assessFlux(spells, {
    asn: args.asnTable,
    nsRecords: new Set(ns.records.map((r) => r.rdata)).size,
  })
  return {
    name: args.name,
    addresses: spells.map((s) => ({
      address: s.address,
      rrtype: s.record.rrtype as 'A' | 'AAAA',
      first: s.first,
      last: s.last,
      count: s.count,
      vantages: vantagesOf(s.record),
      ...(args.asnTable === undefined ? {} : { asn: args.asnTable.lookup(s.bytes) }),
    })),
    daily: dailyChanges(spells, MAX_HISTORY_DAYS),
    flux,
    limited: a.limited || aaaa.limited || ns.limited,
  }
}
