/**
 * IPv4 and IPv6 (with its extension-header chain), fragment reassembly included. Each header
 * records its addresses in the shared PacketInfo before handing its payload to the transport layer,
 * so the innermost IP header of a tunnelled packet is the one a DNS payload is reported with.
 */
import { MAX_IPV6_EXT_HEADERS } from '../limits.ts'
import type { DecoderState } from './decoder-state.ts'
import * as L from './link-types.ts'
import { ipPayload } from './transport.ts'

/** An IP header whose version is in its first nibble (raw-IP link types, GTP-U). */
export function rawIp(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  if (end - p < 1) {
    s.short('ip.bad_header')
    return
  }
  const v = buf[p]! >> 4
  if (v === 4) ipv4(s, buf, p, end, depth)
  else if (v === 6) ipv6(s, buf, p, end, depth)
  else s.notIp++
}

/** Source address at addrBuf[srcOff], destination right after it. */
function addresses(s: DecoderState, ipVersion: 4 | 6, addrBuf: Uint8Array, srcOff: number): void {
  const info = s.info
  info.ipVersion = ipVersion
  info.addrBuf = addrBuf
  info.srcOff = srcOff
  info.dstOff = srcOff + (ipVersion === 4 ? 4 : 16)
}

export function ipv4(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  if (end - p < 20) {
    s.short('ip.bad_header')
    return
  }
  const vihl = buf[p]!
  const ihl = (vihl & 15) << 2
  let total = (buf[p + 2]! << 8) | buf[p + 3]!
  if (total === 0) total = end - p // segmentation offload: the length was left for the NIC to fill
  if (vihl >> 4 !== 4 || ihl < 20 || total < ihl) {
    s.skip('ip.bad_header')
    return
  }
  if (total > end - p) {
    // A cut datagram would hand out a cut DNS message: drop it.
    s.short('ip.bad_length')
    return
  }
  // Trusting the IP length (not the frame length) drops Ethernet padding and trailers.
  const ipEnd = p + total
  const frag = ((buf[p + 6]! << 8) | buf[p + 7]!) & 0x3fff
  const proto = buf[p + 9]!
  if (frag !== 0) {
    const g = s.frags.add(
      4,
      buf,
      p + 12,
      (buf[p + 4]! << 8) | buf[p + 5]!,
      proto,
      (frag & 0x1fff) << 3,
      (frag & 0x2000) !== 0,
      buf,
      p + ihl,
      ipEnd,
      s.ts,
    )
    if (g === null) s.skip('ip.fragment')
    else {
      addresses(s, 4, g.addr, 0)
      ipPayload(s, proto, g.data!, 0, g.data!.length, depth)
    }
    return
  }
  addresses(s, 4, buf, p + 12)
  ipPayload(s, proto, buf, p + ihl, ipEnd, depth)
}

export function ipv6(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  if (end - p < 40) {
    s.short('ip.bad_header')
    return
  }
  if (buf[p]! >> 4 !== 6) {
    s.skip('ip.bad_header')
    return
  }
  const plen = (buf[p + 4]! << 8) | buf[p + 5]!
  let ipEnd = end // payload length 0: jumbogram or segmentation offload
  if (plen !== 0) {
    if (plen > end - p - 40) {
      s.short('ip.bad_length')
      return
    }
    ipEnd = p + 40 + plen
  }
  addresses(s, 6, buf, p + 8)
  ipv6Chain(s, buf[p + 6]!, buf, p + 40, ipEnd, depth)
}

/**
 * Walks IPv6 extension headers from `next` at buf[q] to the upper-layer protocol; the addresses
 * are already in s.info.
 */
function ipv6Chain(
  s: DecoderState,
  next: number,
  buf: Uint8Array,
  q: number,
  end: number,
  depth: number,
): void {
  for (let i = 0; ; i++) {
    let hlen = -1
    switch (next) {
      case L.IPPROTO_HOPOPTS:
      case L.IPPROTO_ROUTING:
      case L.IPPROTO_DSTOPTS:
      case L.IPPROTO_MOBILITY:
      case L.IPPROTO_HIP:
      case L.IPPROTO_SHIM6:
        if (end - q < 8) break
        hlen = (buf[q + 1]! + 1) << 3
        break
      case L.IPPROTO_AH:
        if (end - q < 8) break
        hlen = (buf[q + 1]! + 2) << 2
        break
      case L.IPPROTO_FRAGMENT:
        if (end - q < 8) break
        if ((((buf[q + 2]! << 8) | buf[q + 3]!) & 0xfff9) === 0) {
          hlen = 8 // atomic fragment (offset 0, no more): just a header
          break
        }
        ipv6Fragment(s, buf, q, end, depth)
        return
      case L.IPPROTO_ESP:
        s.skip('ip.esp')
        return
      case L.IPPROTO_NONE:
        s.skip('ip.no_next_header')
        return
      default:
        ipPayload(s, next, buf, q, end, depth)
        return
    }
    // an extension header: hlen stays -1 when its fixed part did not fit
    if (hlen < 0 || q + hlen > end) {
      s.short('ip.bad_header')
      return
    }
    if (i >= MAX_IPV6_EXT_HEADERS) {
      s.anomalies.inc('ipv6.ext_header_loop')
      s.skip('ipv6.ext_header_loop')
      return
    }
    next = buf[q]!
    q += hlen
  }
}

/** A (non-atomic) fragment header at buf[q], its fragment running to `end`. */
function ipv6Fragment(s: DecoderState, buf: Uint8Array, q: number, end: number, depth: number): void {
  const info = s.info
  const addrBuf = info.addrBuf
  const srcOff = info.srcOff
  if (addrBuf !== buf || srcOff + 32 > q) {
    // a fragment header inside a reassembled datagram
    s.anomalies.inc('frag.nested')
    s.skip('ip.fragment')
    return
  }
  const fo = (buf[q + 2]! << 8) | buf[q + 3]!
  const id = ((buf[q + 4]! << 24) | (buf[q + 5]! << 16) | (buf[q + 6]! << 8) | buf[q + 7]!) >>> 0
  const g = s.frags.add(6, addrBuf, srcOff, id, buf[q]!, fo & 0xfff8, (fo & 1) !== 0, buf, q + 8, end, s.ts)
  if (g === null) s.skip('ip.fragment')
  else {
    addresses(s, 6, g.addr, 0)
    ipv6Chain(s, g.proto, g.data!, 0, g.data!.length, depth)
  }
}
