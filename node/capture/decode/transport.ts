/**
 * What an IP header carries: UDP datagrams and TCP segments on a DNS port go to the sink (TCP
 * through stream reassembly), IP-in-IP and GRE back to the IP and tunnel decoders, and UDP on a
 * known encapsulation port to the tunnel decoders. The IP layer has already put the addresses
 * into s.info.
 */
import type { PacketInfo } from '../types.ts'
import type { DecoderState } from './decoder-state.ts'
import { ipv4, ipv6 } from './ip.ts'
import * as L from './link-types.ts'
import { GENEVE_PORT, GRE_UDP_PORT, GTP_U_PORT, TEREDO_PORT, VXLAN_PORT } from './ports.ts'
import { geneve, gre, gtpu, teredo, vxlan } from './tunnels.ts'

/** The payload buf[p, end) of an IP header whose protocol (or last next-header) is `proto`. */
export function ipPayload(
  s: DecoderState,
  proto: number,
  buf: Uint8Array,
  p: number,
  end: number,
  depth: number,
): void {
  if (proto === L.IPPROTO_UDP) udp(s, buf, p, end, depth)
  else if (proto === L.IPPROTO_TCP) tcp(s, buf, p, end)
  else if (proto === L.IPPROTO_GRE) gre(s, buf, p, end, depth)
  else if (proto === L.IPPROTO_IPIP) {
    if (s.deeper(depth)) ipv4(s, buf, p, end, depth + 1)
  } else if (proto === L.IPPROTO_IPV6) {
    if (s.deeper(depth)) ipv6(s, buf, p, end, depth + 1)
  } else if (proto === L.IPPROTO_ESP) s.skip('ip.esp')
  else s.notUdpTcp++
}

/** Completes s.info for a DNS message from this frame's transport header. */
function transportInfo(s: DecoderState, transport: 'udp' | 'tcp', sport: number, dport: number): PacketInfo {
  const info = s.info
  info.tsUs = s.ts
  info.transport = transport
  info.srcPort = sport
  info.dstPort = dport
  return info
}

function udp(s: DecoderState, buf: Uint8Array, p: number, end: number, depth: number): void {
  if (end - p < 8) {
    s.short('udp.bad_header')
    return
  }
  const sport = (buf[p]! << 8) | buf[p + 1]!
  const dport = (buf[p + 2]! << 8) | buf[p + 3]!
  const ulen = (buf[p + 4]! << 8) | buf[p + 5]!
  let uend: number
  if (ulen >= 8 && ulen <= end - p) uend = p + ulen
  else if (ulen === 0)
    uend = end // IPv6 jumbogram, or a length left for offload
  else {
    s.skip('udp.bad_length')
    return
  }
  const ports = s.ports
  if ((ports[sport]! | ports[dport]!) !== 0) {
    const info = transportInfo(s, 'udp', sport, dport)
    s.udpPayloads++
    s.onDns(buf, p + 8, uend - p - 8, info)
    return
  }
  if (dport === VXLAN_PORT) vxlan(s, buf, p + 8, uend, depth)
  else if (dport === GTP_U_PORT || sport === GTP_U_PORT) gtpu(s, buf, p + 8, uend, depth)
  else if (dport === TEREDO_PORT || sport === TEREDO_PORT) teredo(s, buf, p + 8, uend, depth)
  else if (dport === GRE_UDP_PORT) gre(s, buf, p + 8, uend, depth)
  else if (dport === GENEVE_PORT) geneve(s, buf, p + 8, uend, depth)
  else s.notDns++
}

function tcp(s: DecoderState, buf: Uint8Array, p: number, end: number): void {
  if (end - p < 20) {
    s.short('tcp.bad_header')
    return
  }
  const sport = (buf[p]! << 8) | buf[p + 1]!
  const dport = (buf[p + 2]! << 8) | buf[p + 3]!
  const ports = s.ports
  if ((ports[sport]! | ports[dport]!) === 0) {
    s.notDns++
    return
  }
  const doff = (buf[p + 12]! >> 4) << 2
  if (doff < 20 || doff > end - p) {
    s.skip('tcp.bad_header')
    return
  }
  // Messages the segment completes are handed out with this info.
  const info = transportInfo(s, 'tcp', sport, dport)
  const seq = ((buf[p + 4]! << 24) | (buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!) >>> 0
  const ack = ((buf[p + 8]! << 24) | (buf[p + 9]! << 16) | (buf[p + 10]! << 8) | buf[p + 11]!) >>> 0
  const alen = info.dstOff - info.srcOff // 4 or 16: the destination address follows the source
  s.tcp.segment(
    info.addrBuf,
    info.srcOff,
    alen,
    sport,
    dport,
    seq,
    ack,
    buf[p + 13]!,
    buf,
    p + doff,
    end,
    s.ts,
  )
}
