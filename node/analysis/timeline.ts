/**
 * Sets over time from first/last windows. The store keeps one window per record (first and last
 * seen, merged over vantages), so "which NS hosts were in use at time t" is the set of records whose
 * window holds t. Sweeping the windows' edges gives periods in which that set does not change.
 *
 * What the windows cannot say: a record seen, gone, then seen again has one window across the gap,
 * so a value that leaves and returns looks present throughout (the periods then show the other
 * values coming and going beside it).
 */
import { unionSorted } from './collect-pages.ts'

/** One value's window (inclusive epoch seconds). */
export interface Spell {
  key: string
  first: number
  last: number
  vantages: readonly string[]
}

export interface Period {
  /** sorted, distinct */
  keys: string[]
  first: number
  last: number
  vantages: string[]
}

/** The periods, oldest first, in which the set of values in use stayed the same; gaps (nothing in use) give no period. */
export function periodsOf(spells: readonly Spell[]): Period[] {
  // edges as half-open windows [first, last + 1): a single sighting (first = last) lasts one second
  const edges: { t: number; start: boolean; i: number }[] = []
  spells.forEach((s, i) => {
    edges.push({ t: s.first, start: true, i }, { t: s.last + 1, start: false, i })
  })
  edges.sort((a, b) => a.t - b.t)
  const active = new Set<number>()
  const out: Period[] = []
  let e = 0
  while (e < edges.length) {
    const t = edges[e]!.t
    while (e < edges.length && edges[e]!.t === t) {
      const x = edges[e++]!
      if (x.start) active.add(x.i)
      else active.delete(x.i)
    }
    if (active.size === 0 || e >= edges.length) continue
    const end = edges[e]!.t - 1
    const members = [...active].map((i) => spells[i]!)
    const keys = [...new Set(members.map((m) => m.key))].sort()
    const vantages = unionSorted(members.map((m) => m.vantages))
    const prev = out[out.length - 1]
    if (prev !== undefined && prev.last === t - 1 && sameKeys(prev.keys, keys)) {
      prev.last = end
      prev.vantages = unionSorted([prev.vantages, vantages])
    } else {
      out.push({ keys, first: t, last: end, vantages })
    }
  }
  return out
}

export function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
