/**
 * Encapsulations unwrapped to reach the DNS inside: GRE (over IP or UDP), VXLAN, GTP-U and
 * Teredo. Each one that goes deeper counts against MAX_TUNNEL_DEPTH through s.deeper().
 */
import type { DecoderState } from './decoder-state.ts'
import { ipv4, ipv6, rawIp } from './ip.ts'
import { ether, mpls } from './link-layer.ts'
import * as L from './link-types.ts'

/** GRE version 0 (RFC 2784/2890): optional checksum, key and sequence words, then the payload. */
export function gre(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  if (!s.deeper(depth)) return
  if (end - p < 4) {
    s.short('gre.bad_header')
    return
  }
  const flags = (buf[p]! << 8) | buf[p + 1]!
  const proto = (buf[p + 2]! << 8) | buf[p + 3]!
  if ((flags & 7) !== 0 || (flags & 0x4000) !== 0) {
    s.skip('gre.unsupported') // version 1 (PPTP) or source routing
    return
  }
  let q = p + 4
  if (flags & 0x8000) q += 4
  if (flags & 0x2000) q += 4
  if (flags & 0x1000) q += 4
  if (q > end) {
    s.short('gre.bad_header')
    return
  }
  const d = depth + 1
  if (proto === L.ETHERTYPE_IPV4) ipv4(s, buf, q, end, d)
  else if (proto === L.ETHERTYPE_IPV6) ipv6(s, buf, q, end, d)
  else if (proto === L.ETHERTYPE_TEB) ether(s, buf, q, end, d)
  else if (proto === L.ETHERTYPE_ERSPAN)
    ether(s, buf, flags & 0x1000 ? q + 8 : q, end, d) // type II has an 8-byte header, type I none
  else if (proto === L.ETHERTYPE_MPLS) mpls(s, buf, q, end, d)
  else s.skip('gre.unsupported')
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
