import type { Observation } from '../../dns/observation.ts'

/** NDJSON: the Observation fields as they are (time in µs since epoch). */
export function observationToJson(o: Observation): string {
  return JSON.stringify(o)
}

export const TABLE_HEADER = ['time (UTC)', 'section', 'rrname', 'type', 'ttl', 'rcode', 'rdata']

/** Columns for the --table view; negatives show their kind where rdata would be. */
export function observationToRow(o: Observation): string[] {
  return [
    new Date(Math.floor(o.time / 1000)).toISOString().replace('T', ' ').replace('Z', ''),
    o.section ?? '-',
    o.rrname,
    o.rrtype,
    o.ttl === null ? '-' : String(o.ttl),
    o.rcode,
    o.rdata ?? `(${o.kind})`,
  ]
}
