/**
 * COF (draft-dulaunoy-dnsop-passive-dns-cof): one JSON object per line. Fields beyond the draft's
 * are its allowed extensions: `vantages` (the origin labels when more than one vantage saw the
 * record) and `negative` ("nxdomain" or "nodata" for negative answers, whose rdata is empty).
 */
import type { ResultRecord } from '../types.ts'

export function recordToCof(r: ResultRecord): string {
  const o: Record<string, unknown> = {
    rrname: r.rrname,
    rrtype: r.rrtype,
    rdata: r.kind === 'rr' ? [r.rdata] : [],
    time_first: r.first,
    time_last: r.last,
    count: r.count,
  }
  if (r.bailiwick !== null) o.bailiwick = r.bailiwick
  if (r.vantages.length === 1) o.sensor_id = r.vantages[0]!.origin
  else if (r.vantages.length > 1) o.vantages = r.vantages.map((v) => v.origin)
  if (r.kind !== 'rr') o.negative = r.kind
  return JSON.stringify(o)
}
