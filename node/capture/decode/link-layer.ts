/**
 * Link layers: the capture's link-layer header types, then Ethernet with VLAN tags, 802.2
 * LLC/SNAP, 802.11 data frames, PPPoE and MPLS, down to the IP header.
 */
import { MAX_MPLS_LABELS, MAX_VLAN_TAGS } from '../limits.ts'
import type { DecoderState } from './decoder-state.ts'
import { ipv4, ipv6, rawIp } from './ip.ts'
import * as L from './link-types.ts'

/** One frame of link-layer type `linkType` at buf[off, off + capLen). */
export function decodeLink(
  s: DecoderState,
  linkType: number,
  buf: Uint8Array,
  off: number,
  capLen: number,
): void {
  const end = off + capLen
  switch (linkType) {
    case L.LINKTYPE_ETHERNET:
      ether(s, buf, off, end, 0)
      return
    case L.LINKTYPE_LINUX_SLL:
      if (capLen < 16) s.short('link.bad_header')
      else etherType(s, (buf[off + 14]! << 8) | buf[off + 15]!, buf, off + 16, end, 0)
      return
    case L.LINKTYPE_LINUX_SLL2:
      if (capLen < 20) s.short('link.bad_header')
      else etherType(s, (buf[off]! << 8) | buf[off + 1]!, buf, off + 20, end, 0)
      return
    case L.LINKTYPE_RAW:
    case L.LINKTYPE_RAW_12:
    case L.LINKTYPE_RAW_14:
      rawIp(s, buf, off, end, 0)
      return
    case L.LINKTYPE_IPV4:
      ipv4(s, buf, off, end, 0)
      return
    case L.LINKTYPE_IPV6:
      ipv6(s, buf, off, end, 0)
      return
    case L.LINKTYPE_FDDI:
      // frame control, destination, source; some BSD writers add 3 bytes of padding
      if (capLen >= 24 && buf[off + 13] !== 0xaa && buf[off + 16] === 0xaa) llc(s, buf, off + 16, end, 0)
      else llc(s, buf, off + 13, end, 0)
      return
    case L.LINKTYPE_IEEE802_11:
      wlan(s, buf, off, end)
      return
    case L.LINKTYPE_IEEE802_11_RADIOTAP:
      if (capLen < 4) s.short('link.bad_header')
      else wlan(s, buf, off + (buf[off + 2]! | (buf[off + 3]! << 8)), end)
      return
    case L.LINKTYPE_NULL:
    case L.LINKTYPE_LOOP:
      loopback(s, linkType, buf, off, end)
      return
    default:
      s.skip(`link.unsupported:${linkType}`)
  }
}

/** DLT_NULL / DLT_LOOP: a 4-byte address family, then IP. */
function loopback(s: DecoderState, linkType: number, buf: Uint8Array, off: number, end: number): void {
  if (end - off < 4) {
    s.short('link.bad_header')
    return
  }
  const be = ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0
  // DLT_NULL is in the writer's byte order (a family never exceeds 16 bits); DLT_LOOP is big-endian.
  const le = (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24)) >>> 0
  const family = linkType === L.LINKTYPE_LOOP || le > 0xffff ? be : le
  if (family === L.AF_INET) ipv4(s, buf, off + 4, end, 0)
  else if (
    family === L.AF_INET6_BSD ||
    family === L.AF_INET6_FREEBSD ||
    family === L.AF_INET6_DARWIN ||
    family === L.AF_INET6_LINUX
  ) {
    ipv6(s, buf, off + 4, end, 0)
  } else s.notIp++
}

/** An Ethernet II header at buf[p]. */
export function ether(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  if (end - p < 14) {
    s.short('link.bad_header')
    return
  }
  etherType(s, (buf[p + 12]! << 8) | buf[p + 13]!, buf, p + 14, end, depth)
}

function etherType(
  s: DecoderState,
  type: number,
  buf: Uint8Array,
  p: number,
  end: number,
  depth: number,
): void {
  if (type === L.ETHERTYPE_IPV4) {
    ipv4(s, buf, p, end, depth)
    return
  }
  let tags = 0
  while (type === L.ETHERTYPE_VLAN || type === L.ETHERTYPE_QINQ || type === L.ETHERTYPE_QINQ_OLD) {
    if (++tags > MAX_VLAN_TAGS) {
      s.skip('link.too_many_vlan_tags')
      return
    }
    if (end - p < 4) {
      s.short('link.bad_header')
      return
    }
    type = (buf[p + 2]! << 8) | buf[p + 3]!
    p += 4
  }
  if (type === L.ETHERTYPE_IPV4) ipv4(s, buf, p, end, depth)
  else if (type === L.ETHERTYPE_IPV6) ipv6(s, buf, p, end, depth)
  else if (type <= L.ETHER_MAX_LENGTH) llc(s, buf, p, end, depth)
  else if (type === L.ETHERTYPE_MPLS || type === L.ETHERTYPE_MPLS_MULTICAST) mpls(s, buf, p, end, depth)
  else if (type === L.ETHERTYPE_PPPOE_SESSION) {
    if (end - p < 8) s.short('link.bad_header')
    else ppp(s, (buf[p + 6]! << 8) | buf[p + 7]!, buf, p + 8, end, depth)
  } else s.notIp++
}

/** 802.2 LLC: only SNAP (AA AA 03, then an EtherType) can carry IP. */
function llc(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  if (end - p >= 8 && buf[p] === 0xaa && buf[p + 1] === 0xaa && buf[p + 2] === 0x03) {
    const type = (buf[p + 6]! << 8) | buf[p + 7]!
    // A SNAP EtherType that is a length would mean LLC inside LLC: no real stack does that, and
    // following it would let a crafted frame recurse once per 8 bytes (stack overflow).
    if (type <= L.ETHER_MAX_LENGTH) s.skip('link.nested_llc')
    else etherType(s, type, buf, p + 8, end, depth)
  } else if (end - p < 3) s.short('link.bad_header')
  else s.notIp++
}

/** 802.11 data frames: header length depends on the address-4, QoS and HT-control fields. */
function wlan(s: DecoderState, buf: Uint8Array, p: number, end: number): void {
  if (end - p < 24) {
    s.short('link.bad_header')
    return
  }
  const fc0 = buf[p]!
  const fc1 = buf[p + 1]!
  const subtype = fc0 >> 4
  if (((fc0 >> 2) & 3) !== 2 || (subtype & 4) !== 0) {
    s.skip('wlan.not_data') // management, control, or a data frame without payload
    return
  }
  if (fc1 & 0x40) {
    s.skip('wlan.protected')
    return
  }
  let h = 24
  if ((fc1 & 3) === 3) h += 6
  if (subtype & 8) h += fc1 & 0x80 ? 6 : 2
  llc(s, buf, p + h, end, 0)
}

function ppp(s: DecoderState, proto: number, buf: Uint8Array, p: number, end: number, depth: number): void {
  if (proto === L.PPP_IPV4) ipv4(s, buf, p, end, depth)
  else if (proto === L.PPP_IPV6) ipv6(s, buf, p, end, depth)
  else s.notIp++
}

/** An MPLS label stack; below the bottom label, IP or a pseudowire control word and Ethernet. */
export function mpls(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  for (let i = 0; ; i++) {
    if (i >= MAX_MPLS_LABELS) {
      s.skip('mpls.too_many_labels')
      return
    }
    if (end - p < 4) {
      s.short('link.bad_header')
      return
    }
    const bottom = buf[p + 2]! & 1
    p += 4
    if (bottom) break
  }
  if (end - p < 1) {
    s.short('link.bad_header')
    return
  }
  if (buf[p]! >> 4 === 0) {
    if (s.deeper(depth)) ether(s, buf, p + 4, end, depth + 1) // pseudowire control word
  } else rawIp(s, buf, p, end, depth)
}
