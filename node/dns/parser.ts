/**
 * The DNS message walk: one response in, one Observation per RR (plus one per negative answer) out.
 *
 * Built for throughput on one core: it reads the Uint8Array in place, skips queries after one octet,
 * decodes names through the per-message offset cache of NameReader, and allocates only the strings
 * and Observation objects it hands out. Hostile input is handled by bounds checks; each problem is a
 * named anomaly (see anomalies.ts), RRs decoded before the damage are still emitted.
 */
import { Counters, type PacketInfo } from '../capture/types.ts'
import type { DnsAnomaly } from './anomalies.ts'
import {
  className,
  rcodeName,
  T_A,
  T_CNAME,
  T_DNAME,
  T_NS,
  T_OPT,
  T_SOA,
  T_TKEY,
  T_TSIG,
  typeName,
} from './constants.ts'
import { MAX_MESSAGE_LENGTH, MAX_RRS_PER_MESSAGE } from './limits.ts'
import { NameReader } from './name.ts'
import type { Observation, ObservationKind, ObservationSink, Section } from './observation.ts'
import { ipv4, ipv6 } from './rdata/address.ts'
import { generic, u16, u32 } from './rdata/encoding.ts'
import { renderRdata } from './rdata/index.ts'

export interface DnsParserOptions {
  /** format the response's destination address into Observation.client (else null) */
  clientAddresses: boolean
  /**
   * Clear the top bit of CLASS on messages to or from port 5353: in mDNS it is the cache-flush flag
   * (RFC 6762 §10.2), not part of the class. Default true.
   */
  mdns?: boolean
}

const MDNS_PORT = 5353
const OPCODE_QUERY = 0
const SECTIONS: readonly Section[] = ['answer', 'authority', 'additional']

/** One constructor for every Observation so all share one hidden class (monomorphic consumers). */
function observation(
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

/** True when name equals zone or lies below it (a real label boundary, not an escaped `\.`). */
export function isAtOrBelow(name: string, zone: string): boolean {
  if (zone === '.') return true
  const nl = name.length
  const zl = zone.length
  if (nl === zl) return name === zone
  if (nl <= zl + 1 || !name.endsWith(zone)) return false
  const dot = nl - zl - 1
  if (name.charCodeAt(dot) !== 0x2e) return false
  let bs = 0
  for (let i = dot - 1; i >= 0 && name.charCodeAt(i) === 0x5c; i--) bs++
  return (bs & 1) === 0
}

const malformedNames: string[] = new Array<string>(65536).fill('')
function malformedName(type: number): string {
  const s = malformedNames[type]!
  if (s !== '') return s
  const made = `rdata.malformed:${typeName(type)}`
  malformedNames[type] = made
  return made
}

export class DnsParser {
  /** named anomalies (anomalies.ts), plus rdata.malformed:<TYPE> */
  readonly anomalies: Counters = new Counters()
  /** every parse() call */
  messages = 0
  /** messages with QR=0 (counted, not decoded) */
  queries = 0
  /** messages with QR=1 */
  responses = 0
  /** Observations emitted, negatives included */
  observations = 0
  /** of which nxdomain/nodata */
  negatives = 0
  /** OPT, TSIG, TKEY records seen in responses (RFC 6895 meta-RRs: counted, never emitted) */
  metaRecords = 0
  /**
   * Responses whose opcode is not QUERY (NOTIFY, UPDATE, DSO, …): counted, not decoded. Their
   * sections are zone/prerequisite/update data, not answers; read as answers they would put
   * records that were never served (UPDATE deletions, prerequisites) into the database.
   */
  otherOpcodes = 0

  readonly #emit: ObservationSink
  readonly #clientAddresses: boolean
  readonly #mdns: boolean
  readonly #names: NameReader
  /** RR observations of the current message, held back until the OPT RR and the authority are known */
  readonly #pending: Observation[] = []

  constructor(options: DnsParserOptions, emit: ObservationSink) {
    this.#emit = emit
    this.#clientAddresses = options.clientAddresses
    this.#mdns = options.mdns ?? true
    this.#names = new NameReader(this.anomalies)
  }

  /** Never throws, whatever the bytes. */
  parse(buf: Uint8Array, off: number, len: number, info: PacketInfo): void {
    this.messages++
    if (len < 3 || off < 0 || off + len > buf.length) {
      this.#anomaly('header.truncated')
      return
    }
    // QR is the top bit of octet 2: queries cost this one read
    if ((buf[off + 2]! & 0x80) === 0) {
      this.queries++
      return
    }
    this.responses++
    if (len < 12) {
      this.#anomaly('header.truncated')
      return
    }
    if (((buf[off + 2]! >> 3) & 15) !== OPCODE_QUERY) {
      this.otherOpcodes++
      return
    }
    if (len > MAX_MESSAGE_LENGTH) {
      this.#anomaly('message.trailing_bytes')
      len = MAX_MESSAGE_LENGTH
    }
    try {
      this.#response(buf, off, off + len, info)
    } catch {
      // last-resort net: a bug must cost one message, not the sensor
      this.#anomaly('parser.internal_error')
    }
  }

  #anomaly(name: DnsAnomaly): void {
    this.anomalies.inc(name)
  }

  #response(buf: Uint8Array, start: number, end: number, info: PacketInfo): void {
    const names = this.#names
    names.reset(buf, start, end)
    const truncatedFlag = (buf[start + 2]! & 2) !== 0
    const rcodeLow = buf[start + 3]! & 15
    const qd = u16(buf, start + 4)
    const an = u16(buf, start + 6)
    const ns = u16(buf, start + 8)
    const ar = u16(buf, start + 10)
    const mdns = this.#mdns && (info.srcPort === MDNS_PORT || info.dstPort === MDNS_PORT)
    let p = start + 12

    let qname: string | null = null
    let qtype: string | null = null
    let qtypeNum = -1
    let qclassNum = 0
    for (let i = 0; i < qd; i++) {
      if (p >= end) {
        this.#anomaly('count.exceeds_message')
        return
      }
      if (i === 0) {
        qname = names.read(p, end)
        if (qname === null) return
        p = names.next
      } else {
        p = names.skip(p, end)
        if (p < 0) {
          this.#anomaly('name.out_of_bounds')
          return
        }
      }
      if (p + 4 > end) {
        this.#anomaly('question.truncated')
        return
      }
      if (i === 0) {
        qtypeNum = u16(buf, p)
        qtype = typeName(qtypeNum)
        qclassNum = u16(buf, p + 2)
        if (mdns) qclassNum &= 0x7fff
      }
      p += 4
    }

    const time = info.tsUs
    const transport = info.transport
    let client: string | null = null
    if (this.#clientAddresses) {
      client = info.ipVersion === 4 ? ipv4(info.addrBuf, info.dstOff) : ipv6(info.addrBuf, info.dstOff)
    }

    const pending = this.#pending
    let n = 0
    let extRcode = 0
    let optSeen = false
    let zone: string | null = null
    let negTtl = -1
    let answerHasQ = false
    let answerHasChain = false
    let authorityHasNs = false
    /** sections walked to their announced end */
    let walked = 0

    sections: for (let sec = 0; sec < 3; sec++) {
      const count = sec === 0 ? an : sec === 1 ? ns : ar
      const section = SECTIONS[sec]!
      for (let i = 0; i < count; i++) {
        if (p >= end) {
          this.#anomaly('count.exceeds_message')
          break sections
        }
        if (n === MAX_RRS_PER_MESSAGE) {
          this.#anomaly('message.rr_limit')
          break sections
        }
        const owner = names.read(p, end)
        if (owner === null) break sections
        p = names.next
        if (p + 10 > end) {
          this.#anomaly('rr.truncated')
          break sections
        }
        const type = u16(buf, p)
        let cls = u16(buf, p + 2)
        const ttl = u32(buf, p + 4)
        const rd = p + 10
        const rdEnd = rd + u16(buf, p + 8)
        if (rdEnd > end) {
          this.#anomaly('rdata.overrun')
          break sections
        }
        p = rdEnd

        if (type === T_OPT) {
          this.metaRecords++
          if (sec !== 2) this.#anomaly('opt.misplaced')
          else if (optSeen) this.#anomaly('opt.multiple')
          else {
            optSeen = true
            // RFC 6891 §6.1.3: the TTL's top octet holds the upper 8 bits of the 12-bit RCODE
            extRcode = ttl >>> 24
          }
          continue
        }
        if (type === T_TSIG || type === T_TKEY) {
          this.metaRecords++
          continue
        }
        if (mdns) cls &= 0x7fff

        let rdata: string | null
        if (type === T_A && rdEnd - rd === 4) {
          rdata = ipv4(buf, rd)
        } else {
          rdata = renderRdata(names, type, rd, rdEnd)
          if (rdata === null) {
            // empty RDATA with class ANY/NONE is an UPDATE deletion (RFC 2136 §2.5), not damage
            if (rdEnd !== rd || (cls !== 254 && cls !== 255)) this.anomalies.inc(malformedName(type))
            rdata = generic(buf, rd, rdEnd)
          }
        }

        if (sec === 0) {
          if (type === qtypeNum && owner === qname) answerHasQ = true
          else if (type === T_CNAME || type === T_DNAME) answerHasChain = true
        } else if (sec === 1) {
          if (type === T_SOA) {
            if (zone === null) zone = owner
            // RFC 2308 §5: negative TTL = min(SOA TTL, SOA MINIMUM)
            if (negTtl < 0 && rdEnd - rd >= 22) {
              const min = u32(buf, rdEnd - 4)
              negTtl = Math.min(ttl, min)
            }
          } else if (type === T_NS) {
            authorityHasNs = true
            if (zone === null) zone = owner
          }
        }

        pending[n++] = observation(
          'rr',
          time,
          owner,
          typeName(type),
          className(cls),
          rdata,
          ttl,
          section,
          '',
          qname,
          qtype,
          null,
          transport,
          client,
        )
      }
      walked++
    }
    if (walked === 3 && p < end) this.#anomaly('message.trailing_bytes')

    const rcodeNum = (extRcode << 4) | rcodeLow
    const rcode = rcodeName(rcodeNum)
    const emit = this.#emit
    for (let i = 0; i < n; i++) {
      const o = pending[i]!
      o.rcode = rcode
      if (zone !== null && isAtOrBelow(o.rrname, zone)) o.bailiwick = zone
      emit(o)
    }
    this.observations += n

    if (qname === null) return
    let kind: ObservationKind | null = null
    if (rcodeNum === 3) kind = 'nxdomain'
    // NODATA (RFC 2308 §2.2): NOERROR, nothing for the question, no CNAME/DNAME to follow, no
    // referral; only decided when answer and authority were read completely and not cut (TC)
    else if (
      rcodeNum === 0 &&
      walked >= 2 &&
      !truncatedFlag &&
      !answerHasQ &&
      !answerHasChain &&
      !authorityHasNs
    )
      kind = 'nodata'
    if (kind === null) return
    emit(
      observation(
        kind,
        time,
        qname,
        qtype!,
        className(qclassNum),
        null,
        negTtl >= 0 ? negTtl : null,
        null,
        rcode,
        qname,
        qtype,
        zone !== null && isAtOrBelow(qname, zone) ? zone : null,
        transport,
        client,
      ),
    )
    this.observations++
    this.negatives++
  }
}
