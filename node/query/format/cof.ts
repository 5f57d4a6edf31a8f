/**
 * COF (draft-dulaunoy-dnsop-passive-dns-cof): one JSON object per line. Fields beyond the draft's
 * are its allowed extensions: `vantages` (the origin labels when more than one vantage saw the
 * record) and `negative` ("nxdomain" or "nodata" for negative answers, whose rdata is empty).
 */
import type { ResultRecord } from '../types.ts'

export interface CofOptions {
  /**
   * A type without a mnemonic (`TYPE65`) as its number, COF's rule and what PyPDNS's strict parser
   * takes (the HTTP API's CIRCL answers); the CLI keeps the text its other formats print.
   */
  numericGenericTypes?: boolean
}

/** A record as a COF line (no newline): the CLI's `--format cof` and the CIRCL HTTP answer. */
export function recordToCof(r: ResultRecord, opts: CofOptions = {}): string {
  const generic = opts.numericGenericTypes === true ? /^TYPE([0-9]+)$/.exec(r.rrtype) : null
  const o: Record<string, unknown> = {
    rrname: r.rrname,
    rrtype: generic === null ? r.rrtype : Number(generic[1]),
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
