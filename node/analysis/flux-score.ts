/**
 * The fast-flux assessment of one name from its A/AAAA records alone (no lookups here, so `ip-history`
 * and the `flux` ranking score names the same way).
 *
 * Grounding (docs/QUESTIONS.md cites them):
 * - Holz, Gorecki, Rieck, Freiling, "Measuring and Detecting Fast-Flux Service Networks", NDSS 2008:
 *   the flux score, a linear function of the number of distinct A records nA, of distinct ASNs nASN
 *   and of NS records nNS from two lookups a TTL apart, f = 1.32·nA + 18.54·nASN + 0·nNS, flux
 *   above 142.38.
 * - NSA/CISA/FBI/ASD's ACSC/CCCS/NCSC-NZ, "Fast Flux: A National Security Threat", joint
 *   cybersecurity advisory, April 2025: fast-flux domains cycle through tens or hundreds of addresses
 *   a day, with low TTLs and addresses spread over many networks; CDNs and load balancers rotate too,
 *   inside few networks.
 *
 * Passive DNS has no "two lookups a TTL apart": nA is taken as the most addresses in use (first/last
 * window touching the day) in one UTC day, and nASN as the ASNs of those addresses (their /16 and /32
 * networks stand in when no IP-to-ASN table is given, and the reasons say so).
 */
import type { AsnTable } from './asn-table.ts'
import { maxOf, minOf } from './collect-pages.ts'
import { networkOf } from './ip-prefix.ts'

/** Holz et al. 2008, the flux-score weights and decision threshold. */
export const HOLZ_WEIGHT_A = 1.32
export const HOLZ_WEIGHT_ASN = 18.54
export const HOLZ_WEIGHT_NS = 0
export const HOLZ_THRESHOLD = 142.38
/**
 * Fewer networks (ASNs, else /16s) than this and a high score reads as a CDN or load balancer
 * rotating inside its own networks, not flux: the spread over unrelated networks is what compromised
 * hosts give (Holz §3, the 2025 advisory's "IP diversity").
 */
export const FLUX_MIN_NETWORKS = 5
/** "Tens or hundreds of IP addresses per day" (2025 advisory): ten in use in one day is churn. */
export const FLUX_DAILY_ADDRESSES = 10
/** TTLs below this (seconds) are called low (the advisory's TTL analysis; CDNs use them too, so it only adds a reason). */
export const LOW_TTL = 300
/** An address set that changes less than once a week is stable (a migration, a renumbering). */
export const STABLE_CHANGES_PER_DAY = 1 / 7

const DAY = 86_400

export type FluxVerdict = 'stable' | 'rotating' | 'flux-suspect'

/** One address of a name with its window, as the store gives it. */
export interface AddressSpell {
  address: string
  bytes: Uint8Array
  first: number
  last: number
  count: number
  /** when the store keeps TTLs (an optional field of records) */
  ttlMin?: number | undefined
  ttlMax?: number | undefined
}

export interface FluxFeatures {
  addresses: number
  /** distinct IPv4 /24 plus IPv6 /48 networks */
  prefixes_24: number
  /** distinct IPv4 /16 plus IPv6 /32 networks */
  prefixes_16: number
  /** distinct ASNs (null without --asn-table); addresses the table does not cover are left out */
  asns: number | null
  ttl: { min: number; max: number } | null
  /** days between an address's first and last sighting */
  lifetime_days: { min: number; median: number; max: number }
  /**
   * addresses per answer, approximated: the records of one response are stored with the same time,
   * so addresses first seen in the same second are counted as one answer
   */
  per_answer: { max: number; median: number }
  /** Holz's nA: most addresses in use in one UTC day */
  max_daily_addresses: number
  /** Holz's nASN: ASNs (or /16 networks) of the addresses of that day */
  max_daily_networks: number
  ns_records: number | null
  /** additions after the first day plus removals before the last, over the days spanned */
  changes: number
  span_days: number
  changes_per_day: number
}

export interface FluxAssessment {
  features: FluxFeatures
  /** Holz's flux score with the features above */
  score: number
  threshold: number
  /** what nASN counted: `asn` from the table, or `prefix16` networks standing in */
  networks: 'asn' | 'prefix16'
  verdict: FluxVerdict
  reasons: string[]
}

export interface DailyChange {
  /** UTC date */
  day: string
  added: number
  removed: number
  /** addresses in use that day */
  active: number
}

export function dayOf(t: number): number {
  return Math.floor(t / DAY)
}

export function dayText(d: number): string {
  return new Date(d * DAY * 1000).toISOString().slice(0, 10)
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const round2 = (x: number) => Math.round(x * 100) / 100

/** The network key nASN counts for an address. */
function networkKey(a: AddressSpell, asn: AsnTable | undefined): string | null {
  if (asn !== undefined) {
    const n = asn.lookup(a.bytes)
    return n === null ? null : `AS${n}`
  }
  return networkOf(a.bytes, 16, 32)
}

/**
 * Windows touching each day in `days` (sorted day numbers): calls `visit(day, active)` with the
 * addresses in use that day. Two pointers over the spells sorted by first and by last: O(n log n).
 */
function sweepDays(
  spells: readonly AddressSpell[],
  days: readonly number[],
  visit: (day: number, active: ReadonlySet<AddressSpell>) => void,
  /** told of each spell entering (true) and leaving (false) the active set, for running counts */
  onChange?: (s: AddressSpell, entered: boolean) => void,
): void {
  const byFirst = [...spells].sort((a, b) => a.first - b.first)
  const byLast = [...spells].sort((a, b) => a.last - b.last)
  const active = new Set<AddressSpell>()
  let p = 0
  let q = 0
  for (const d of days) {
    const start = d * DAY
    // (the index moves outside the optional call: `f?.(x[i++])` skips the i++ when f is absent)
    while (p < byFirst.length && byFirst[p]!.first < start + DAY) {
      const s = byFirst[p++]!
      active.add(s)
      onChange?.(s, true)
    }
    while (q < byLast.length && byLast[q]!.last < start) {
      const s = byLast[q++]!
      active.delete(s)
      onChange?.(s, false)
    }
    visit(d, active)
  }
}

export function assessFlux(
  spells: readonly AddressSpell[],
  opts: { asn?: AsnTable | undefined; nsRecords?: number | null } = {},
): FluxAssessment {
  const n = spells.length
  const minFirst = minOf(spells.map((s) => s.first))
  const maxLast = maxOf(spells.map((s) => s.last))
  const firstDay = dayOf(minFirst)
  const lastDay = dayOf(maxLast)
  const spanDays = n === 0 ? 0 : round2(Math.max(1, (maxLast - minFirst) / DAY))

  // Holz's nA and nASN: the day with the highest score (it is a day on which some address started)
  let maxDaily = 0
  let maxNets = 0
  let best = 0
  const startDays = [...new Set(spells.map((s) => dayOf(s.first)))].sort((a, b) => a - b)
  // networks in use, counted as addresses enter and leave: one key per address, computed once
  const keyOf = new Map(spells.map((s) => [s, networkKey(s, opts.asn)]))
  const inUse = new Map<string, number>()
  sweepDays(
    spells,
    startDays,
    (_d, active) => {
      const f = HOLZ_WEIGHT_A * active.size + HOLZ_WEIGHT_ASN * inUse.size
      if (f > best || (f === best && active.size > maxDaily)) {
        best = f
        maxDaily = active.size
        maxNets = inUse.size
      }
    },
    (s, entered) => {
      const k = keyOf.get(s)
      if (k === null || k === undefined) return
      const c = (inUse.get(k) ?? 0) + (entered ? 1 : -1)
      if (c === 0) inUse.delete(k)
      else inUse.set(k, c)
    },
  )
  const nsRecords = opts.nsRecords ?? null
  const score = round2(best + HOLZ_WEIGHT_NS * (nsRecords ?? 0))

  let asns: number | null = null
  if (opts.asn !== undefined) {
    const set = new Set<number>()
    for (const s of spells) {
      const a = opts.asn.lookup(s.bytes)
      if (a !== null) set.add(a)
    }
    asns = set.size
  }
  const ttls = spells.flatMap((s) => [s.ttlMin, s.ttlMax]).filter((t): t is number => t !== undefined)
  const firstSecond = new Map<number, number>()
  for (const s of spells) firstSecond.set(s.first, (firstSecond.get(s.first) ?? 0) + 1)
  const answers = [...firstSecond.values()]
  const lifetimes = spells.map((s) => (s.last - s.first) / DAY)
  const changes =
    spells.filter((s) => dayOf(s.first) > firstDay).length +
    spells.filter((s) => dayOf(s.last) < lastDay).length

  const features: FluxFeatures = {
    addresses: n,
    prefixes_24: new Set(spells.map((s) => networkOf(s.bytes, 24, 48))).size,
    prefixes_16: new Set(spells.map((s) => networkOf(s.bytes, 16, 32))).size,
    asns,
    ttl: ttls.length === 0 ? null : { min: minOf(ttls), max: maxOf(ttls) },
    lifetime_days: {
      min: round2(minOf(lifetimes)),
      median: round2(median(lifetimes)),
      max: round2(maxOf(lifetimes)),
    },
    per_answer: { max: maxOf(answers), median: median(answers) },
    max_daily_addresses: maxDaily,
    max_daily_networks: maxNets,
    ns_records: nsRecords,
    changes,
    span_days: spanDays,
    changes_per_day: spanDays === 0 ? 0 : round2(changes / spanDays),
  }
  const networks = opts.asn === undefined ? 'prefix16' : 'asn'
  const { verdict, reasons } = judge(features, score, networks)
  return { features, score, threshold: HOLZ_THRESHOLD, networks, verdict, reasons }
}

function judge(
  f: FluxFeatures,
  score: number,
  networks: 'asn' | 'prefix16',
): { verdict: FluxVerdict; reasons: string[] } {
  const reasons: string[] = []
  if (f.addresses === 0) return { verdict: 'stable', reasons: ['no A/AAAA records seen'] }
  const netWord = networks === 'asn' ? 'ASNs' : '/16 networks (no --asn-table: standing in for ASNs)'
  reasons.push(
    `${f.addresses} distinct address${f.addresses === 1 ? '' : 'es'} in ${f.prefixes_24} /24 (/48) and ${f.prefixes_16} /16 (/32) networks${f.asns === null ? '' : `, ${f.asns} ASNs`}`,
  )
  const above = score > HOLZ_THRESHOLD
  reasons.push(
    `Holz flux score ${score} (1.32 × ${f.max_daily_addresses} address${f.max_daily_addresses === 1 ? '' : 'es'} in one day + 18.54 × ${f.max_daily_networks} ${netWord}) is ${above ? 'above' : 'at or below'} the threshold ${HOLZ_THRESHOLD}`,
  )
  const spread = f.max_daily_networks >= FLUX_MIN_NETWORKS
  // rotation is seen only when one day held more addresses than any one answer carried
  const rotationSeen = f.max_daily_addresses > f.per_answer.max
  if (!rotationSeen && f.max_daily_addresses > 1) {
    reasons.push(
      `the addresses of the busiest day came in one answer of ${f.per_answer.max}: no rotation seen`,
    )
  }
  const churn = rotationSeen && f.max_daily_addresses >= FLUX_DAILY_ADDRESSES && f.lifetime_days.median < 1
  if (churn) {
    reasons.push(
      `up to ${f.max_daily_addresses} addresses in one day, living a median of ${f.lifetime_days.median} days (tens a day is what the 2025 advisory describes)`,
    )
  }
  if (f.ttl !== null && f.ttl.min < LOW_TTL) reasons.push(`TTL as low as ${f.ttl.min} s`)
  if (spread && (above || churn)) {
    reasons.push(
      `the addresses spread over ${f.max_daily_networks} ${networks === 'asn' ? 'ASNs' : '/16 networks'} in one day: flux-like`,
    )
    return { verdict: 'flux-suspect', reasons }
  }
  if (above || churn) {
    reasons.push(
      `but they stay inside ${f.max_daily_networks} network${f.max_daily_networks === 1 ? '' : 's'} (fewer than ${FLUX_MIN_NETWORKS}): load balancing or a CDN`,
    )
    return { verdict: 'rotating', reasons }
  }
  if (f.changes_per_day > STABLE_CHANGES_PER_DAY) {
    reasons.push(
      `the address set changed ${f.changes} times in ${f.span_days} days (${f.changes_per_day} a day): rotating`,
    )
    return { verdict: 'rotating', reasons }
  }
  reasons.push(
    f.changes === 0
      ? 'the address set never changed'
      : `the address set changed ${f.changes} time${f.changes === 1 ? '' : 's'} in ${f.span_days} days: a migration, not rotation`,
  )
  return { verdict: 'stable', reasons }
}

/** Days on which addresses came or went, newest last, with the addresses in use that day. */
export function dailyChanges(spells: readonly AddressSpell[], maxDays: number): DailyChange[] {
  if (spells.length === 0) return []
  const firstDay = minOf(spells.map((s) => dayOf(s.first)))
  const lastDay = maxOf(spells.map((s) => dayOf(s.last)))
  const byDay = new Map<number, { added: number; removed: number }>()
  const at = (d: number) => {
    let e = byDay.get(d)
    if (e === undefined) {
      e = { added: 0, removed: 0 }
      byDay.set(d, e)
    }
    return e
  }
  for (const s of spells) {
    if (dayOf(s.first) > firstDay) at(dayOf(s.first)).added++
    if (dayOf(s.last) < lastDay) at(dayOf(s.last)).removed++
  }
  const days = [...byDay.keys()].sort((a, b) => a - b).slice(-maxDays)
  const out: DailyChange[] = []
  sweepDays(spells, days, (d, active) => {
    const e = byDay.get(d)!
    out.push({ day: dayText(d), added: e.added, removed: e.removed, active: active.size })
  })
  return out
}
