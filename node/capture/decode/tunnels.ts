/**
 * Encapsulations unwrapped to reach the DNS inside: GRE (over IP or UDP) with ERSPAN types I, II
 * and III, VXLAN, Geneve, GTP-U and Teredo. Each one that goes deeper counts against
 * MAX_TUNNEL_DEPTH through s.deeper(). A header that does not fit is skipped as '<tunnel>.bad_header'
 * (or 'truncated.snaplen' in a cut frame), one of a version or kind not decoded as
 * '<tunnel>.unsupported'; nothing here throws on what a frame holds.
 */
import type { DecoderState } from './decoder-state.ts'
import { ipv4, ipv6, rawIp } from './ip.ts'
import { ether, mpls } from './link-layer.ts'
import * as L from './link-types.ts'

/** GRE flag bits (RFC 2784/2890) in the first 16 bits of the header */
const GRE_CHECKSUM = 0x8000
const GRE_ROUTING = 0x4000
const GRE_KEY = 0x2000
const GRE_SEQUENCE = 0x1000
const GRE_VERSION = 0x0007

/** ERSPAN type II header (after GRE with a sequence number): version 1, VLAN, session, index. */
const ERSPAN_II_HEADER_BYTES = 8
const ERSPAN_II_VERSION = 1
/** ERSPAN type III header: version 2, VLAN, session, timestamp, SGT, frame type and flags. */
const ERSPAN_III_HEADER_BYTES = 12
const ERSPAN_III_VERSION = 2
/** The platform-specific subheader an ERSPAN type III header announces with its O flag. */
const ERSPAN_III_SUBHEADER_BYTES = 8
/** ERSPAN type III frame types: a mirrored Ethernet frame, or an IP packet. */
const ERSPAN_FT_ETHERNET = 0
const ERSPAN_FT_IP = 2

/** Geneve (RFC 8926) fixed header; its options follow, Opt Len × 4 bytes (6 bits: at most 252). */
const GENEVE_HEADER_BYTES = 8
const GENEVE_VERSION = 0
/** The O bit: a control message between tunnel endpoints, not traffic (RFC 8926 §3.4). */
const GENEVE_CONTROL = 0x80

/**
 * The payload of a tunnel header that names it by EtherType (GRE, Geneve): IPv4, IPv6, bridged
 * Ethernet or MPLS. False, having done nothing, for any other type.
 */
function byEtherType(
  s: DecoderState,
  type: number,
  buf: Uint8Array,
  p: number,
  end: number,
  depth: number,
): boolean {
  if (type === L.ETHERTYPE_IPV4) ipv4(s, buf, p, end, depth)
  else if (type === L.ETHERTYPE_IPV6) ipv6(s, buf, p, end, depth)
  else if (type === L.ETHERTYPE_TEB) ether(s, buf, p, end, depth)
  else if (type === L.ETHERTYPE_MPLS) mpls(s, buf, p, end, depth)
  else return false
  return true
}

/** GRE version 0 (RFC 2784/2890): optional checksum, key and sequence words, then the payload. */
export function gre(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  if (!s.deeper(depth)) return
  if (end - p < 4) {
    s.short('gre.bad_header')
    return
  }
  const flags = (buf[p]! << 8) | buf[p + 1]!
  const proto = (buf[p + 2]! << 8) | buf[p + 3]!
  if ((flags & GRE_VERSION) !== 0 || (flags & GRE_ROUTING) !== 0) {
    s.skip('gre.unsupported') // version 1 (PPTP) or source routing
    return
  }
  let q = p + 4
  if (flags & GRE_CHECKSUM) q += 4
  if (flags & GRE_KEY) q += 4
  if (flags & GRE_SEQUENCE) q += 4
  if (q > end) {
    s.short('gre.bad_header')
    return
  }
  const d = depth + 1
  if (proto === L.ETHERTYPE_ERSPAN) {
    // type II carries a sequence number in GRE and a header of its own; type I neither
    if (flags & GRE_SEQUENCE) erspanII(s, buf, q, end, d)
    else ether(s, buf, q, end, d)
  } else if (proto === L.ETHERTYPE_ERSPAN_III) erspanIII(s, buf, q, end, d)
  else if (!byEtherType(s, proto, buf, q, end, d)) s.skip('gre.unsupported')
}

/** Whether an ERSPAN header of `bytes` and `version` is at p; counts why not. */
function erspanHeader(
  s: DecoderState,
  buf: Uint8Array,
  p: number,
  end: number,
  bytes: number,
  version: number,
): boolean {
  if (end - p < bytes) s.short('erspan.bad_header')
  else if (buf[p]! >> 4 !== version) s.skip('erspan.unsupported')
  else return true
  return false
}

/** ERSPAN type II: an 8-byte header (version 1), then the mirrored Ethernet frame. */
function erspanII(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  if (erspanHeader(s, buf, p, end, ERSPAN_II_HEADER_BYTES, ERSPAN_II_VERSION)) {
    ether(s, buf, p + ERSPAN_II_HEADER_BYTES, end, depth)
  }
}

/**
 * ERSPAN type III: a 12-byte header (version 2), the optional platform subheader (O flag), then
 * the mirrored Ethernet frame or IP packet its frame type names.
 */
function erspanIII(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  if (!erspanHeader(s, buf, p, end, ERSPAN_III_HEADER_BYTES, ERSPAN_III_VERSION)) return
  const frameType = (buf[p + 10]! >> 2) & 0x1f
  const q = p + ERSPAN_III_HEADER_BYTES + (buf[p + 11]! & 1 ? ERSPAN_III_SUBHEADER_BYTES : 0)
  if (q > end) {
    s.short('erspan.bad_header')
    return
  }
  if (frameType === ERSPAN_FT_ETHERNET) ether(s, buf, q, end, depth)
  else if (frameType === ERSPAN_FT_IP) rawIp(s, buf, q, end, depth)
  else s.skip('erspan.unsupported')
}

/**
 * Geneve (RFC 8926) on UDP 6081: the fixed header, options (skipped whole: their length is in the
 * header, so no option is walked), then the payload its Protocol Type names.
 */
export function geneve(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  if (!s.deeper(depth)) return
  if (end - p < GENEVE_HEADER_BYTES) {
    s.short('geneve.bad_header')
    return
  }
  if (buf[p]! >> 6 !== GENEVE_VERSION) {
    s.skip('geneve.unsupported')
    return
  }
  if (buf[p + 1]! & GENEVE_CONTROL) {
    s.skip('geneve.control')
    return
  }
  const q = p + GENEVE_HEADER_BYTES + ((buf[p]! & 0x3f) << 2)
  if (q > end) {
    s.short('geneve.bad_header')
    return
  }
  const proto = (buf[p + 2]! << 8) | buf[p + 3]!
  if (!byEtherType(s, proto, buf, q, end, depth + 1)) s.skip('geneve.unsupported')
}

/** VXLAN (RFC 7348): 8-byte header with the I flag, then an Ethernet frame. */
export function vxlan(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  if (end - p < 8 || (buf[p]! & 0x08) === 0) {
    s.notDns++
    return
  }
  if (s.deeper(depth)) ether(s, buf, p + 8, end, depth + 1)
}

/** GTP-U v1 (3GPP TS 29.281) G-PDU: 8-byte header, optional 4 more, extension headers, then IP. */
export function gtpu(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  if (end - p < 8 || buf[p]! >> 5 !== 1 || (buf[p]! & 0x10) === 0 || buf[p + 1] !== 0xff) {
    s.notDns++
    return
  }
  let q = p + 8
  if (buf[p]! & 0x07) {
    if (end - q < 4) {
      s.short('gtp.bad_header')
      return
    }
    // the optional word is there when any of E, S, PN is set; its next-extension type counts
    // only when E is (3GPP TS 29.281 §5.1)
    let ext = buf[p]! & 0x04 ? buf[q + 3]! : 0
    q += 4
    while (ext !== 0) {
      if (end - q < 4 || buf[q] === 0) {
        s.short('gtp.bad_header')
        return
      }
      q += buf[q]! << 2
      if (q > end) {
        s.short('gtp.bad_header')
        return
      }
      ext = buf[q - 1]!
    }
  }
  if (s.deeper(depth)) rawIp(s, buf, q, end, depth + 1)
}

/** Teredo (RFC 4380): optional authentication and origin-indication headers, then IPv6. */
export function teredo(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  let q = p
  if (end - q >= 4 && buf[q] === 0 && buf[q + 1] === 1) q += 4 + buf[q + 2]! + buf[q + 3]! + 9
  if (end - q >= 8 && buf[q] === 0 && buf[q + 1] === 0) q += 8
  if (q < end && buf[q]! >> 4 === 6) {
    if (s.deeper(depth)) ipv6(s, buf, q, end, depth + 1)
  } else s.notDns++
}
