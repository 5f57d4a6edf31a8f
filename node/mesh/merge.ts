/**
 * Merging answers from several nodes record by record: a record is (kind, rrname, rrtype, rdata,
 * bailiwick); its vantages are the union by origin label. Two nodes may hold the same origin (one
 * replicated it from the other): the copy with the larger count (the later cumulative value) wins,
 * times widen, so nothing is counted twice.
 */
import { typeNumber } from '../dns/constants.ts'
import type { NameSummary, NewName, ResultRecord, VantageView } from '../query/types.ts'

function recordKey(r: ResultRecord): string {
  return `${r.kind}\u0000${r.rrname}\u0000${r.rrtype}\u0000${r.bailiwick ?? '\u0001'}\u0000${r.rdata}`
}

function mergeVantage(a: VantageView, b: VantageView): VantageView {
  return {
    origin: a.origin,
    first: Math.min(a.first, b.first),
    last: Math.max(a.last, b.last),
    count: Math.max(a.count, b.count),
  }
}

/** Vantages sorted by origin, with the record's merged view: first = min, last = max, count = sum. */
export function overall(vantages: VantageView[]): {
  first: number
  last: number
  count: number
  vantages: VantageView[]
} {
  const sorted = [...vantages].sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0))
  let first = Number.POSITIVE_INFINITY
  let last = 0
  let count = 0
  for (const v of sorted) {
    first = Math.min(first, v.first)
    last = Math.max(last, v.last)
    count += v.count
  }
  return { first, last, count, vantages: sorted }
}

export function mergeRecords(answers: readonly (readonly ResultRecord[])[]): ResultRecord[] {
  const byKey = new Map<string, Map<string, VantageView>>()
  const first = new Map<string, ResultRecord>()
  for (const list of answers) {
    for (const r of list) {
      const k = recordKey(r)
      let vs = byKey.get(k)
      if (vs === undefined) {
        vs = new Map()
        byKey.set(k, vs)
        first.set(k, r)
      }
      for (const v of r.vantages) {
        const had = vs.get(v.origin)
        vs.set(v.origin, had === undefined ? { ...v } : mergeVantage(had, v))
      }
    }
  }
  const out: ResultRecord[] = []
  for (const [k, vs] of byKey) {
    const r = first.get(k)!
    out.push({ ...r, ...overall([...vs.values()]) })
  }
  // the order the CLI prints: by name, type, rdata (stable across which node answered first)
  return out.sort((a, b) => {
    const x = recordKey(a)
    const y = recordKey(b)
    return x < y ? -1 : x > y ? 1 : 0
  })
}

/** Summaries of one name from several nodes: per vantage the largest view, totals recomputed. */
export function mergeSummaries(list: readonly (NameSummary | null)[]): NameSummary | null {
  const present = list.filter((s): s is NameSummary => s !== null)
  if (present.length === 0) return null
  const vantages = new Map<string, { origin: string; records: number; count: number }>()
  for (const s of present) {
    for (const v of s.vantages) {
      const had = vantages.get(v.origin)
      if (had === undefined || v.count > had.count || (v.count === had.count && v.records > had.records)) {
        vantages.set(v.origin, { ...v })
      }
    }
  }
  // per-type and negative counts cannot be split by vantage from a summary: take the widest answer
  const widest = present.reduce((a, b) => (b.count > a.count ? b : a))
  const vs = [...vantages.values()].sort((a, b) => (a.origin < b.origin ? -1 : 1))
  return {
    ...widest,
    first: Math.min(...present.map((s) => s.first)),
    last: Math.max(...present.map((s) => s.last)),
    count: vs.reduce((n, v) => n + v.count, 0),
    vantages: vs,
  }
}

/** A name's NewName view from its merged answers: per vantage min first, max last, summed counts. */
export function newNameOf(name: string, records: readonly ResultRecord[]): NewName | null {
  const answers = records.filter((r) => r.kind === 'rr')
  if (answers.length === 0) return null
  const perOrigin = new Map<string, VantageView>()
  const types = new Set<string>()
  for (const r of answers) {
    types.add(r.rrtype)
    for (const v of r.vantages) {
      const had = perOrigin.get(v.origin)
      perOrigin.set(
        v.origin,
        had === undefined
          ? { ...v }
          : {
              origin: v.origin,
              first: Math.min(had.first, v.first),
              last: Math.max(had.last, v.last),
              count: had.count + v.count,
            },
      )
    }
  }
  const view = overall([...perOrigin.values()])
  return {
    name,
    first: view.first,
    last: view.last,
    count: view.count,
    records: answers.length,
    rrtypes: [...types].sort((a, b) => (typeNumber(a) ?? 65536) - (typeNumber(b) ?? 65536)),
    vantages: view.vantages,
  }
}
