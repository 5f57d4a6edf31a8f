/**
 * The DNS message walk: one response in, one Observation per RR (plus one per negative answer) out.
 *
 * Built for throughput on one core: it reads the Uint8Array in place, skips queries after one octet,
 * decodes names through the per-message offset cache of NameReader, and allocates only the strings
 * and Observation objects it hands out. Hostile input is handled by bounds checks; each problem is a
 * named anomaly (see anomalies.ts), RRs decoded before the damage are still emitted.
 */
import { MDNS_PORT } from '../capture/decode/ports.ts'
import { Counters, type PacketInfo } from '../capture/types.ts'
import type { DnsAnomaly } from './anomalies.ts'
import { AnswerLinks } from './answer-links.ts'
import {
  className,
  rcodeName,
  T_CNAME,
  T_DNAME,
  T_NS,
  T_OPT,
  T_SOA,
  T_TKEY,
  T_TSIG,
  typeName,
} from './constants.ts'
import { lazyTable } from './lazy-table.ts'
import { MAX_MESSAGE_LENGTH, MAX_RRS_PER_MESSAGE } from './limits.ts'
import { NameReader } from './name.ts'
import {
  makeObservation,
  type Observation,
  type ObservationKind,
  type ObservationSink,
  type Section,
} from './observation.ts'
import { ipv4, ipv6 } from './rdata/address.ts'
import { generic, u16, u32 } from './rdata/encoding.ts'
import { renderRdata } from './rdata/index.ts'
import { isAtOrBelow } from './zone.ts'

export interface DnsParserOptions {
  /** format the response's destination address into Observation.client (else null) */
  clientAddresses: boolean
  /**
   * Clear the top bit of CLASS on messages to or from port 5353: in mDNS it is the cache-flush flag
   * (RFC 6762 §10.2), not part of the class. Default true.
   */
  mdns?: boolean
}

const OPCODE_QUERY = 0
const SECTIONS: readonly Section[] = ['answer', 'authority', 'additional']

/** `rdata.malformed:<TYPE>`, made once per type */
const malformedName = lazyTable(65536, (t) => `rdata.malformed:${typeName(t)}`)

/** Q-types and meta-types (RFC 6895 §3.1: 128–255): ANY, AXFR, IXFR, MAILA/MAILB, TKEY… */
function isMetaQtype(t: number): boolean {
  return t >= 128 && t <= 255
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
  /** Observations handed to the sink, negatives included */
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
  /**
   * Observations of the current message, held back until the OPT RR and the authority are known,
   * and so that the sink is called outside the decoder's last-resort net
   */
  readonly #pending: Observation[] = []
  /** the answer section's CNAME/DNAME records, for following the chain to the negative's name */
  readonly #links = new AnswerLinks()

  constructor(options: DnsParserOptions, emit: ObservationSink) {
    this.#emit = emit
    this.#clientAddresses = options.clientAddresses
    this.#mdns = options.mdns ?? true
    this.#names = new NameReader(this.anomalies)
  }

  /** Never throws on any bytes; an exception thrown by the sink reaches the caller unchanged. */
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
      this.#anomaly('message.too_long')
      len = MAX_MESSAGE_LENGTH
    }
    let n: number
    try {
      n = this.#response(buf, off, off + len, info)
    } catch {
      // last-resort net over decoding only: a bug must cost one message, not the sensor. The sink
      // runs below, outside it, so a failing store is not mistaken for a parser bug.
      this.#anomaly('parser.internal_error')
      return
    }
    const pending = this.#pending
    const emit = this.#emit
    // counted as handed over, so a sink that throws mid-message leaves the counters true
    for (let i = 0; i < n; i++) {
      const o = pending[i]!
      emit(o)
      this.observations++
      if (o.kind !== 'rr') this.negatives++
    }
  }

  #anomaly(name: DnsAnomaly): void {
    this.anomalies.inc(name)
  }

  /** Decodes one response into #pending; returns how many observations it holds. */
  #response(buf: Uint8Array, start: number, end: number, info: PacketInfo): number {
    const names = this.#names
    names.reset(buf, start, end)
    const authoritative = (buf[start + 2]! & 4) !== 0
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
        return 0
      }
      if (i === 0) {
        qname = names.read(p, end)
        if (qname === null) return 0
        p = names.next
      } else {
        p = names.skip(p, end)
        if (p < 0) {
          this.#anomaly('name.out_of_bounds')
          return 0
        }
      }
      if (p + 4 > end) {
        this.#anomaly('question.truncated')
        return 0
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
    const links = this.#links.at
    const linkTargets = this.#links.targets
    let n = 0
    let answerEnd = 0
    let nLinks = 0
    let extRcode = 0
    let optSeen = false
    let soaZone: string | null = null
    let nsZone: string | null = null
    let negTtl = -1
    /** a record of the asked type at qname */
    let answerHasQ = false
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

        let rdata = renderRdata(names, type, rd, rdEnd)
        const rendered = rdata !== null
        if (rdata === null) {
          // empty RDATA with class ANY/NONE is an UPDATE deletion (RFC 2136 §2.5), not damage
          if (rdEnd !== rd || (cls !== 254 && cls !== 255)) this.anomalies.inc(malformedName(type))
          rdata = generic(buf, rd, rdEnd)
        }

        if (sec === 0) {
          if (type === qtypeNum && owner === qname) answerHasQ = true
          else if (type === T_CNAME || type === T_DNAME) {
            links[nLinks] = n
            linkTargets[nLinks] = rendered ? rdata : null
            nLinks++
          }
        } else if (sec === 1) {
          if (type === T_SOA) {
            if (soaZone === null) soaZone = owner
            // RFC 2308 §5: negative TTL = min(SOA TTL, SOA MINIMUM); MINIMUM closes a well-formed SOA
            if (negTtl < 0 && rendered) negTtl = Math.min(ttl, u32(buf, rdEnd - 4))
          } else if (type === T_NS) {
            if (nsZone === null) nsZone = owner
          }
        }

        pending[n++] = makeObservation(
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
      if (sec === 0) answerEnd = n
      walked++
    }
    if (walked === 3 && p < end) this.#anomaly('message.trailing_bytes')

    // Without the OPT RR the upper 8 RCODE bits are unknown. Reported: the header's 4 bits, which is
    // all the message shows (and what tshark reports); counted so the uncertainty is visible, and
    // NODATA is not decided on it (BADVERS, 16, reads as NOERROR in 4 bits).
    const rcodeFinal = optSeen || walked === 3
    if (!rcodeFinal) this.#anomaly('rcode.uncertain')
    const rcodeNum = (extRcode << 4) | rcodeLow
    const rcode = rcodeName(rcodeNum)
    // The zone the server speaks for, a best guess (COF's bailiwick): an SOA shows it; so does the
    // NS RRset when AA is set, or when it comes with an answer (a resolver repeating the zone's NS
    // beside the data). NS with neither is a referral: its child zone is one the answering parent
    // does not serve, so nothing is inferred.
    // An NS zone must also contain the question: NS for a zone below it is a delegation, even
    // after an authoritative CNAME into that child (RFC 1034 §4.3.2 step 3b).
    const nsCovers = nsZone !== null && (qname === null || isAtOrBelow(qname, nsZone))
    const zone = soaZone ?? ((authoritative || answerEnd > 0) && nsCovers ? nsZone : null)
    for (let i = 0; i < n; i++) {
      const o = pending[i]!
      o.rcode = rcode
      if (zone !== null && isAtOrBelow(o.rrname, zone)) o.bailiwick = zone
    }

    if (qname === null || walked === 0) return n
    let kind: ObservationKind | null = null
    // an uncertain rcode whose low bits read 3 may be an extended one (BADTIME 19 …): not NXDOMAIN
    if (rcodeNum === 3 && rcodeFinal) kind = 'nxdomain'
    // NODATA (RFC 2308 §2.2): only decided when answer and authority were read completely, not cut
    // (TC), and the rcode is final; not for a referral (NS in the authority and no SOA)
    else if (
      rcodeNum === 0 &&
      walked >= 2 &&
      !truncatedFlag &&
      rcodeFinal &&
      (nsZone === null || soaZone !== null)
    )
      kind = 'nodata'
    if (kind === null) return n

    // The name the negative is about: qname, or the end of the CNAME chain (RFC 6604 §2.1)
    let target: string | null = qname
    if (isMetaQtype(qtypeNum)) {
      // ANY, AXFR, IXFR…: any answer at all answers them
      if (an > 0) target = null
    } else if (answerHasQ) target = null
    // a cut (TC) answer may hide the end of the chain
    else if (nLinks > 0)
      target = truncatedFlag ? null : this.#links.chainEnd(this.#pending, qname, qtype!, nLinks, answerEnd)
    if (target === null) return n
    // Behind a CNAME, a NOERROR without data may just be a server that does not serve the target;
    // only an SOA of the target's zone says the target has no such data (RFC 2308 §2.2.1)
    if (kind === 'nodata' && target !== qname && (soaZone === null || !isAtOrBelow(target, soaZone))) return n

    pending[n++] = makeObservation(
      kind,
      time,
      target,
      qtype!,
      className(qclassNum),
      null,
      negTtl >= 0 ? negTtl : null,
      null,
      rcode,
      qname,
      qtype,
      zone !== null && isAtOrBelow(target, zone) ? zone : null,
      transport,
      client,
    )
    return n
  }
}
