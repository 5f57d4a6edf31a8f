/**
 * A query's records, page by page: the engine is asked for API_PAGE_RECORDS at a time, and for the
 * next page only when the consumer (a stream the socket drains) asks for more. Between pages the
 * engine holds nothing: the position is the page's cursor, so a slow client costs a cursor string,
 * never an open store iterator. The consumer learns at the end why it ended. Records come a page
 * (an array) at a time, not one by one: an async generator step per record cost a ten-record
 * answer more than encoding it.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Page, QueryBackend, RdataQuery, ResultRecord, RrsetQuery } from '../../query/types.ts'
import { API_PAGE_RECORDS, API_QUERY_BUDGET_MS } from './limits.ts'

/** complete: every match was returned; limit: more matched than `limit`; budget: the query ran out of time */
export type PagedEnd = 'complete' | 'limit' | 'budget'

/** Records in pages as the engine returned them (offset and limit applied; never an empty page). */
export type RecordPages = AsyncGenerator<readonly ResultRecord[], PagedEnd>

export interface PagedOptions {
  /** most records returned */
  limit: number
  /** matches skipped first (DNSDB offset, a dribble cursor) */
  offset?: number
  signal?: AbortSignal
  budgetMs?: number
}

export async function* pagedRecords(
  fetch: (limit: number, cursor: string | undefined) => Promise<Page>,
  opts: PagedOptions,
): RecordPages {
  const offset = opts.offset ?? 0
  const started = performance.now()
  let skipped = 0
  let sent = 0
  let cursor: string | undefined
  for (;;) {
    opts.signal?.throwIfAborted()
    if (performance.now() - started > (opts.budgetMs ?? API_QUERY_BUDGET_MS)) return 'budget'
    // one more than still wanted: whether a record lies beyond the limit decides 'limit' vs 'complete'
    const want = Math.min(API_PAGE_RECORDS, offset - skipped + (opts.limit - sent) + 1)
    const page = await fetch(want, cursor)
    let records = page.records
    if (skipped < offset) {
      const skip = Math.min(offset - skipped, records.length)
      skipped += skip
      records = records.slice(skip)
    }
    const room = opts.limit - sent
    if (records.length > room) {
      // a record beyond the limit: the answer is limited
      if (room > 0) yield records.slice(0, room)
      return 'limit'
    }
    sent += records.length
    if (records.length > 0) yield records
    if (page.cursor === null) return 'complete'
    cursor = page.cursor
    // a long query leaves the event loop to capture, dnstap and other requests between pages
    await nextTurn()
  }
}

export type Lookup = { kind: 'rrset'; q: RrsetQuery } | { kind: 'rdata'; q: RdataQuery }

/** Fetches `limit` records of the lookup from `cursor` on. */
export function pageFetcher(
  backend: QueryBackend,
  lookup: Lookup,
  signal: AbortSignal,
): (limit: number, cursor: string | undefined) => Promise<Page> {
  return (limit, cursor) => {
    const part = { ...lookup.q, limit, ...(cursor === undefined ? {} : { cursor }) }
    return lookup.kind === 'rrset'
      ? backend.rrset(part as RrsetQuery, { signal })
      : backend.rdata(part as RdataQuery, { signal })
  }
}
