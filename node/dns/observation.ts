/** What the sensor keeps from a DNS response: one record, or one negative answer. */

export type Section = 'answer' | 'authority' | 'additional'

export type ObservationKind = 'rr' | 'nxdomain' | 'nodata'

export interface Observation {
  kind: ObservationKind
  /** capture time, µs since epoch */
  time: number
  /**
   * owner name; for negatives the name they are about (the end of the CNAME chain). ASCII
   * lower-cased, no trailing dot, root is '.', master-file escapes
   */
  rrname: string
  /** mnemonic (A, AAAA, …) or TYPEnnn (RFC 3597) */
  rrtype: string
  /** IN, CH, HS, NONE, ANY or CLASSnnn */
  rrclass: string
  /** master-file presentation form; RFC 3597 `\# len hex` for types not rendered; null for negatives */
  rdata: string | null
  /** negatives: min(SOA TTL, MINIMUM), null without a well-formed SOA */
  ttl: number | null
  /** null for negatives */
  section: Section | null
  /** NOERROR, NXDOMAIN, … (12-bit extended RCODE when an OPT RR carries upper bits) */
  rcode: string
  qname: string | null
  qtype: string | null
  /** zone the answering server spoke for, when the message shows it (authority SOA, or NS with AA); else null */
  bailiwick: string | null
  transport: 'udp' | 'tcp'
  /** resolver-side client address; only when the operator enabled it, else null */
  client: string | null
}

export type ObservationSink = (obs: Observation) => void

/** One constructor for every Observation so all share one hidden class (monomorphic consumers). */
export function makeObservation(
  kind: ObservationKind,
  time: number,
  rrname: string,
  rrtype: string,
  rrclass: string,
  rdata: string | null,
  ttl: number | null,
  section: Section | null,
  rcode: string,
  qname: string | null,
  qtype: string | null,
  bailiwick: string | null,
  transport: 'udp' | 'tcp',
  client: string | null,
): Observation {
  return {
    kind,
    time,
    rrname,
    rrtype,
    rrclass,
    rdata,
    ttl,
    section,
    rcode,
    qname,
    qtype,
    bailiwick,
    transport,
    client,
  }
}
