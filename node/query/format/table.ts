/** The `table` output: aligned columns for people (node/cli/output/table.ts draws them). */
import { renderTable } from '../../cli/output/table.ts'
import type { NameSummary, ResultRecord } from '../types.ts'

export const RECORD_TABLE_HEADER = [
  'first seen (UTC)',
  'last seen (UTC)',
  'count',
  'vantages',
  'type',
  'rrname',
  'bailiwick',
  'rdata',
]

/** Epoch seconds → `2026-01-01 00:00:01`. */
export function tableTime(sec: number): string {
  return new Date(sec * 1000).toISOString().slice(0, 19).replace('T', ' ')
}

/** Columns of one record; a negative answer shows its kind where rdata would be. */
export function recordToRow(r: ResultRecord): string[] {
  return [
    tableTime(r.first),
    tableTime(r.last),
    String(r.count),
    r.vantages.length === 1 ? r.vantages[0]!.origin : String(r.vantages.length),
    r.rrtype,
    r.rrname,
    r.bailiwick ?? '-',
    r.kind === 'rr' ? r.rdata : `(${r.kind})`,
  ]
}

/** `extra` rows (an analysis's, e.g. freshness) follow the summary's own head rows. */
export function summaryToTable(s: NameSummary, extra: readonly [string, string][] = []): string {
  const head = renderTable(null, [
    ['name', s.name],
    ['first seen', `${tableTime(s.first)} UTC`],
    ['last seen', `${tableTime(s.last)} UTC`],
    ['count', String(s.count)],
    ['records', `${s.records} (nxdomain ${s.negatives.nxdomain}, nodata ${s.negatives.nodata})`],
    ...extra,
  ])
  const types = renderTable(
    ['type', 'records', 'count'],
    s.types.map((t) => [t.rrtype, String(t.records), String(t.count)]),
  )
  const vantages = renderTable(
    ['vantage', 'records', 'count'],
    s.vantages.map((v) => [v.origin, String(v.records), String(v.count)]),
  )
  return `${head}\n\n${types}\n\n${vantages}`
}
