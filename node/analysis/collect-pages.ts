/**
 * A lookup read to its end, page after page, up to a bound: the analyses need every record of a
 * name or an address range, not a page of them. Works on any QueryBackend (a mesh answers one page,
 * its cursor null, so the loop ends there).
 */
import type {
  CallOptions,
  QueryBackend,
  RdataQuery,
  ResultRecord,
  RrsetQuery,
  TimeFence,
} from '../query/types.ts'
import { HISTORY_PAGE_SIZE } from './limits.ts'

/**
 * What every analysis runs on: a backend (the local store, a running node, the mesh). Analyses are
 * `(components, args, { signal })` so the CLI and the HTTP API call the same function.
 */
export interface AnalysisComponents {
  backend: QueryBackend
}

export interface Collected {
  records: ResultRecord[]
  /** the bound cut the lookup short: more records match than were read */
  limited: boolean
}

async function collect(
  page: (limit: number, cursor: string | undefined) => ReturnType<QueryBackend['rrset']>,
  max: number,
): Promise<Collected> {
  const records: ResultRecord[] = []
  let cursor: string | undefined
  for (;;) {
    // one record more than the bound tells "exactly max" from "more than max"
    const want = Math.min(HISTORY_PAGE_SIZE, max + 1 - records.length)
    const p = await page(want, cursor)
    records.push(...p.records)
    if (records.length > max) return { records: records.slice(0, max), limited: true }
    if (p.cursor === null) return { records, limited: false }
    cursor = p.cursor
  }
}

export function collectRrset(
  backend: QueryBackend,
  q: Omit<RrsetQuery, 'limit' | 'cursor'>,
  max: number,
  opts: CallOptions,
): Promise<Collected> {
  return collect(
    (limit, cursor) => backend.rrset({ ...q, limit, ...(cursor === undefined ? {} : { cursor }) }, opts),
    max,
  )
}

export function collectRdata(
  backend: QueryBackend,
  q: Omit<RdataQuery, 'limit' | 'cursor'>,
  max: number,
  opts: CallOptions,
): Promise<Collected> {
  return collect(
    (limit, cursor) => backend.rdata({ ...q, limit, ...(cursor === undefined ? {} : { cursor }) }, opts),
    max,
  )
}

/** Origin labels of a record's vantages (already sorted by the backend). */
export function vantagesOf(r: ResultRecord): string[] {
  return r.vantages.map((v) => v.origin)
}

/** Sorted union of origin labels. */
export function unionSorted(lists: Iterable<readonly string[]>): string[] {
  const s = new Set<string>()
  for (const l of lists) for (const x of l) s.add(x)
  return [...s].sort()
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The fence and vantage an analysis was asked for, as query fields (absent ones left out). */
export function scopeOf(args: { fence?: TimeFence | undefined; origin?: string | undefined }): {
  fence?: TimeFence
  origin?: string
} {
  return {
    ...(args.fence === undefined ? {} : { fence: args.fence }),
    ...(args.origin === undefined ? {} : { origin: args.origin }),
  }
}

/**
 * Smallest and largest of `xs` (0 for none). A loop, not Math.min(...xs): spreading a lookup's
 * hundreds of thousands of values as arguments overflows the stack.
 */
export function minOf(xs: Iterable<number>): number {
  let m = Number.POSITIVE_INFINITY
  for (const x of xs) if (x < m) m = x
  return m === Number.POSITIVE_INFINITY ? 0 : m
}

export function maxOf(xs: Iterable<number>): number {
  let m = Number.NEGATIVE_INFINITY
  for (const x of xs) if (x > m) m = x
  return m === Number.NEGATIVE_INFINITY ? 0 : m
}
