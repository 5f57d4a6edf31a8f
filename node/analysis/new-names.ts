/**
 * Question 1's feed, `pdns-mesh new`: the names first seen at or after a time, newest first, as the
 * backend's newNames lookup finds them (a reverse scan of the FIRST index), shaped for people (a
 * table) and for programs (one JSON object):
 *
 *   {"since": T, "since_iso": "…Z", "under": ZONE|null, "rrtype": "A"|null,
 *    "names": [{"name", "first", "last", "first_seen", "last_seen", "age_days", "count", "records",
 *               "rrtypes": ["A", …], "vantages": [{"origin", "first", "last", "first_seen",
 *               "last_seen", "count"}]}],
 *    "cursor": null | "…"}
 */

import { renderTable } from '../cli/output/table.ts'
import { isoTime, tableTime, vantageToJson } from '../query/format/index.ts'
import type { NewName, NewNamesPage } from '../query/types.ts'
import { freshness } from './freshness.ts'

export interface NewNamesAsked {
  since: number
  under: string | null
  /** mnemonic, or null for every type */
  rrtype: string | null
}

function nameToJson(n: NewName, now: number): Record<string, unknown> {
  return {
    name: n.name,
    first: n.first,
    last: n.last,
    first_seen: isoTime(n.first),
    last_seen: isoTime(n.last),
    age_days: freshness(n.first, n.last, now, 0).age_days,
    count: n.count,
    records: n.records,
    rrtypes: n.rrtypes,
    vantages: n.vantages.map(vantageToJson),
  }
}

export function newNamesToJson(asked: NewNamesAsked, page: NewNamesPage, now: number): string {
  return JSON.stringify({
    since: asked.since,
    since_iso: isoTime(asked.since),
    under: asked.under,
    rrtype: asked.rrtype,
    names: page.names.map((n) => nameToJson(n, now)),
    cursor: page.cursor,
  })
}

export const NEW_NAMES_TABLE_HEADER = [
  'first seen (UTC)',
  'last seen (UTC)',
  'name',
  'types',
  'count',
  'vantages',
]

export function newNamesToTable(page: NewNamesPage): string {
  return renderTable(
    NEW_NAMES_TABLE_HEADER,
    page.names.map((n) => [
      tableTime(n.first),
      tableTime(n.last),
      n.name,
      n.rrtypes.join(','),
      String(n.count),
      String(n.vantages.length),
    ]),
  )
}
