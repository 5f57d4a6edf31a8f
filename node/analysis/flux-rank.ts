/**
 * `flux`: the most flux-like names for hunting. Bounded work: under a zone it reads the A records and
 * then the AAAA records at or below it, in name order, at most MAX_FLUX_SCAN of each; without
 * a zone (a lookup below the root is refused over the wire) it reads the node's export, in name order,
 * at most 2 × MAX_FLUX_SCAN (record, vantage) entries of every type. Only records last seen
 * at or after `since` count when it is given. It groups the A/AAAA records per name and
 * scores each name with flux-score.ts as `ip-history` does (without the NS lookup, whose weight is 0).
 * A cut scan says `limited: true`: the ranking then covers the names read.
 */
import type { CallOptions, QueryBackend, ResultRecord } from '../query/types.ts'
import type { AsnTable } from './asn-table.ts'
import {
  type AnalysisComponents,
  type Collected,
  collectRrset,
  compareText,
  maxOf,
  minOf,
} from './collect-pages.ts'
import { assessFlux, type FluxVerdict } from './flux-score.ts'
import { spellsOf } from './ip-history.ts'
import { MAX_FLUX_SCAN } from './limits.ts'

const T_A = 1
const T_AAAA = 28

export interface FluxRankArgs {
  /** canonical zone; undefined: every name */
  under?: string
  /** only records last seen at or after this (epoch seconds) */
  since?: number
  /** most names returned */
  limit: number
  origin?: string
  asnTable?: AsnTable
  /** records read per type (default MAX_FLUX_SCAN; the export path reads twice as many entries) */
  maxScan?: number
}

export interface RankedName {
  name: string
  score: number
  verdict: FluxVerdict
  addresses: number
  max_daily_addresses: number
  max_daily_networks: number
  prefixes_24: number
  prefixes_16: number
  asns: number | null
  first: number
  last: number
  reasons: string[]
}

export interface FluxRankAnswer {
  under: string | null
  since: number | null
  /** what was read: A/AAAA records and the names they belong to */
  scanned: { records: number; names: number }
  limited: boolean
  /** highest score first */
  names: RankedName[]
}

export async function fluxRank(
  { backend }: AnalysisComponents,
  args: FluxRankArgs,
  { signal }: CallOptions = {},
): Promise<FluxRankAnswer> {
  const { records, limited } =
    args.under === undefined
      ? await fromExport(backend, args, signal)
      : await fromZone(backend, args, args.under, signal)
  const byName = new Map<string, ReturnType<typeof spellsOf>>()
  for (const s of spellsOf(records)) {
    const list = byName.get(s.record.rrname)
    if (list === undefined) byName.set(s.record.rrname, [s])
    else list.push(s)
  }
  const ranked: RankedName[] = []
  for (const [name, spells] of byName) {
    signal?.throwIfAborted()
    const f = assessFlux(spells, { asn: args.asnTable })
    ranked.push({
      name,
      score: f.score,
      verdict: f.verdict,
      addresses: f.features.addresses,
      max_daily_addresses: f.features.max_daily_addresses,
      max_daily_networks: f.features.max_daily_networks,
      prefixes_24: f.features.prefixes_24,
      prefixes_16: f.features.prefixes_16,
      asns: f.features.asns,
      first: minOf(spells.map((s) => s.first)),
      last: maxOf(spells.map((s) => s.last)),
      reasons: f.reasons,
    })
  }
  ranked.sort((x, y) => y.score - x.score || y.addresses - x.addresses || compareText(x.name, y.name))
  return {
    under: args.under ?? null,
    since: args.since ?? null,
    scanned: { records: records.length, names: byName.size },
    limited,
    names: ranked.slice(0, args.limit),
  }
}

async function fromZone(
  backend: QueryBackend,
  args: FluxRankArgs,
  zone: string,
  signal: AbortSignal | undefined,
): Promise<Collected> {
  const common = {
    name: { kind: 'below' as const, name: zone },
    kinds: ['rr' as const],
    ...(args.since === undefined ? {} : { fence: { lastAfter: args.since } }),
    ...(args.origin === undefined ? {} : { origin: args.origin }),
  }
  const a = await collectRrset(backend, { ...common, rrtype: T_A }, args.maxScan ?? MAX_FLUX_SCAN, { signal })
  const aaaa = await collectRrset(backend, { ...common, rrtype: T_AAAA }, args.maxScan ?? MAX_FLUX_SCAN, {
    signal,
  })
  return { records: [...a.records, ...aaaa.records], limited: a.limited || aaaa.limited }
}

/** A/AAAA records of the export, merged over vantages (it gives one entry per record and vantage). */
async function fromExport(
  backend: QueryBackend,
  args: FluxRankArgs,
  signal: AbortSignal | undefined,
): Promise<Collected> {
  const merged = new Map<string, ResultRecord>()
  let read = 0
  let limited = false
  for await (const r of backend.export({ signal })) {
    if (++read > 2 * (args.maxScan ?? MAX_FLUX_SCAN)) {
      limited = true
      break
    }
    if (r.kind !== 'rr' || (r.rrtype !== 'A' && r.rrtype !== 'AAAA')) continue
    if (args.origin !== undefined && !r.vantages.some((v) => v.origin === args.origin)) continue
    const key = `${r.rrname}\u0000${r.rrtype}\u0000${r.rdata}`
    const m = merged.get(key)
    if (m === undefined) {
      merged.set(key, { ...r, vantages: [...r.vantages] })
    } else {
      m.first = Math.min(m.first, r.first)
      m.last = Math.max(m.last, r.last)
      m.count += r.count
      m.vantages.push(...r.vantages)
    }
  }
  const records = [...merged.values()].filter((r) => args.since === undefined || r.last >= args.since)
  return { records, limited }
}
