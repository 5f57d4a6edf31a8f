/** The `json` output: every ResultRecord field, times as epoch seconds and as ISO 8601 UTC text. */
import type { NameSummary, ResultRecord, VantageView } from '../types.ts'

/** Epoch seconds → `2026-01-01T00:00:01Z`. */
export function isoTime(sec: number): string {
  return new Date(sec * 1000).toISOString().replace('.000Z', 'Z')
}

export function recordToJson(r: ResultRecord): string {
  return JSON.stringify({
    kind: r.kind,
    rrname: r.rrname,
    rrtype: r.rrtype,
    rdata: r.rdata,
    bailiwick: r.bailiwick,
    first: r.first,
    last: r.last,
    first_seen: isoTime(r.first),
    last_seen: isoTime(r.last),
    count: r.count,
    vantages: r.vantages.map(vantageToJson),
  })
}

/** One vantage's view, times as epoch seconds and as ISO 8601 text. */
export function vantageToJson(v: VantageView): Record<string, unknown> {
  return {
    origin: v.origin,
    first: v.first,
    last: v.last,
    first_seen: isoTime(v.first),
    last_seen: isoTime(v.last),
    count: v.count,
  }
}

/** `extra` fields (an analysis's, e.g. freshness) follow the summary's own. */
export function summaryToJson(s: NameSummary, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    name: s.name,
    first: s.first,
    last: s.last,
    first_seen: isoTime(s.first),
    last_seen: isoTime(s.last),
    count: s.count,
    records: s.records,
    types: s.types,
    negatives: s.negatives,
    vantages: s.vantages,
    ...extra,
  })
}
