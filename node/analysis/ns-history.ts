/**
 * Question 4, "has the domain moved name servers?": the domain's NS sets over time as periods,
 * parent-side and child-side apart (by the bailiwick the store keeps per record), the change points
 * between consecutive sets with the providers (registered domains of the NS hosts, from the Public
 * Suffix List through tldts) on either side, and the SOA MNAME/RNAME history. Two rrset lookups.
 */
import { getDomain } from 'tldts'
import type { CallOptions, ResultRecord, TimeFence } from '../query/types.ts'
import {
  type AnalysisComponents,
  collectRrset,
  compareText,
  maxOf,
  minOf,
  scopeOf,
  unionSorted,
  vantagesOf,
} from './collect-pages.ts'
import { MAX_HISTORY_RESULTS } from './limits.ts'
import { type Period, periodsOf } from './timeline.ts'

const T_NS = 2
const T_SOA = 6

/**
 * Where an NS record came from: `parent` (its bailiwick is a zone above the domain: the delegation),
 * `child` (bailiwick = the domain: the zone's own apex NS), `unknown` (no bailiwick recorded, as in
 * COF imports without one).
 */
export type NsSide = 'parent' | 'child' | 'unknown'
const SIDE_ORDER: Record<NsSide, number> = { parent: 0, child: 1, unknown: 2 }

export interface NsHistoryArgs {
  /** canonical name (query/parse.ts normalizeName) */
  domain: string
  fence?: TimeFence
  origin?: string
}

export interface NsPeriod {
  ns: string[]
  first: number
  last: number
  vantages: string[]
  side: NsSide
}

export interface NsChange {
  /** when the new set was first in use */
  time: number
  side: NsSide
  from: string[]
  to: string[]
  providers_from: string[]
  providers_to: string[]
}

export interface SoaSpell {
  mname: string
  rname: string
  first: number
  last: number
  count: number
  /** distinct serials seen with this MNAME/RNAME */
  serials: number
  vantages: string[]
}

export interface SoaChange {
  time: number
  field: 'mname' | 'rname'
  from: string
  to: string
}

export interface NsHistoryAnswer {
  domain: string
  periods: NsPeriod[]
  changes: NsChange[]
  soa: SoaSpell[]
  soa_changes: SoaChange[]
  limited: boolean
}

export function sideOf(domain: string, bailiwick: string | null): NsSide {
  if (bailiwick === null) return 'unknown'
  if (bailiwick === domain) return 'child'
  if (bailiwick === '.' || domain.endsWith(`.${bailiwick}`)) return 'parent'
  // a bailiwick below the domain or beside it cannot vouch for its NS: not a side we can name
  return 'unknown'
}

/** The provider of an NS host: its registered domain (`ns1.domaincontrol.com` → `domaincontrol.com`). */
export function providerOf(host: string): string {
  return getDomain(host) ?? host
}

export function providersOf(hosts: readonly string[]): string[] {
  return [...new Set(hosts.map(providerOf))].sort()
}

export async function nsHistory(
  { backend }: AnalysisComponents,
  args: NsHistoryArgs,
  { signal }: CallOptions = {},
): Promise<NsHistoryAnswer> {
  const common = {
    name: { kind: 'exact' as const, name: args.domain },
    kinds: ['rr' as const],
    ...scopeOf(args),
  }
  const ns = await collectRrset(backend, { ...common, rrtype: T_NS }, MAX_HISTORY_RESULTS, { signal })
  const soa = await collectRrset(backend, { ...common, rrtype: T_SOA }, MAX_HISTORY_RESULTS, { signal })

  const periods: NsPeriod[] = []
  const changes: NsChange[] = []
  for (const side of ['parent', 'child', 'unknown'] as const) {
    const spells = ns.records
      .filter((r) => r.rrtype === 'NS' && sideOf(args.domain, r.bailiwick) === side)
      .map((r) => ({ key: r.rdata, first: r.first, last: r.last, vantages: vantagesOf(r) }))
    const ps = periodsOf(spells)
    periods.push(...ps.map((p) => toPeriod(p, side)))
    changes.push(...changesOf(ps, side))
  }
  periods.sort((a, b) => a.first - b.first || SIDE_ORDER[a.side] - SIDE_ORDER[b.side])
  changes.sort((a, b) => a.time - b.time || SIDE_ORDER[a.side] - SIDE_ORDER[b.side])
  const spells = soaSpells(soa.records)
  return {
    domain: args.domain,
    periods,
    changes,
    soa: spells,
    soa_changes: soaChanges(spells),
    limited: ns.limited || soa.limited,
  }
}

function toPeriod(p: Period, side: NsSide): NsPeriod {
  return { ns: p.keys, first: p.first, last: p.last, vantages: p.vantages, side }
}

/** A change between consecutive periods of one side (also across a gap in which no NS was seen). */
function changesOf(ps: readonly Period[], side: NsSide): NsChange[] {
  const out: NsChange[] = []
  for (let i = 1; i < ps.length; i++) {
    const from = ps[i - 1]!.keys
    const to = ps[i]!.keys
    out.push({
      time: ps[i]!.first,
      side,
      from,
      to,
      providers_from: providersOf(from),
      providers_to: providersOf(to),
    })
  }
  return out
}

/** SOA records grouped by MNAME and RNAME (their serials change all the time; these seldom do). */
function soaSpells(records: readonly ResultRecord[]): SoaSpell[] {
  const groups = new Map<string, { mname: string; rname: string; rs: ResultRecord[]; serials: Set<string> }>()
  for (const r of records) {
    if (r.rrtype !== 'SOA') continue
    const [mname, rname, serial] = r.rdata.split(/\s+/)
    if (mname === undefined || rname === undefined) continue
    const key = `${mname} ${rname}`
    let g = groups.get(key)
    if (g === undefined) {
      g = { mname, rname, rs: [], serials: new Set() }
      groups.set(key, g)
    }
    g.rs.push(r)
    g.serials.add(serial ?? '')
  }
  return [...groups.values()]
    .map((g) => ({
      mname: g.mname,
      rname: g.rname,
      first: minOf(g.rs.map((r) => r.first)),
      last: maxOf(g.rs.map((r) => r.last)),
      count: g.rs.reduce((n, r) => n + r.count, 0),
      serials: g.serials.size,
      vantages: unionSorted(g.rs.map(vantagesOf)),
    }))
    .sort((a, b) => a.first - b.first || compareText(a.mname, b.mname) || compareText(a.rname, b.rname))
}

/**
 * MNAME/RNAME changes: a spell that starts after the reigning one and outlasts it takes over. Spells
 * seen side by side are no change: servers of one zone often each name themselves as MNAME
 * (google.com's four do), and a resolver sees whichever answered.
 */
function soaChanges(spells: readonly SoaSpell[]): SoaChange[] {
  const out: SoaChange[] = []
  let cur = spells[0]
  for (const b of spells.slice(1)) {
    if (cur === undefined || b.first <= cur.first || b.last <= cur.last) continue
    if (cur.mname !== b.mname) out.push({ time: b.first, field: 'mname', from: cur.mname, to: b.mname })
    if (cur.rname !== b.rname) out.push({ time: b.first, field: 'rname', from: cur.rname, to: b.rname })
    cur = b
  }
  return out
}
