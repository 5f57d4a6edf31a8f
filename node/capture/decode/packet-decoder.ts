/**
 * Frame → DNS payload. Walks link, IP and transport headers by offset arithmetic on the frame
 * buffer, unwraps common tunnels, reassembles IP fragments and TCP streams, and hands every DNS
 * payload to the sink with one reused PacketInfo. The common case (Ethernet/IPv4/UDP) allocates
 * nothing and touches each header byte once.
 */
import { MAX_IPV6_EXT_HEADERS, MAX_MPLS_LABELS, MAX_TUNNEL_DEPTH, MAX_VLAN_TAGS } from '../limits.ts'
import {
  Counters,
  type DecodeOptions,
  type DnsPayloadSink,
  type FrameSink,
  type PacketInfo,
} from '../types.ts'
import { FragmentReassembler } from './ip-fragments.ts'
import * as L from './link-types.ts'
import { GRE_UDP_PORT, GTP_U_PORT, TEREDO_PORT, VXLAN_PORT } from './ports.ts'
import { TcpReassembler } from './tcp-reassembly.ts'

export class PacketDecoder {
  /** frames seen */
  frames = 0
  /** DNS payloads handed out from UDP */
  udpPayloads = 0
  /** DNS messages handed out from TCP streams */
  tcpMessages = 0
  /** capture-level anomalies: fragments and TCP streams that could not be put together, tunnels too deep... */
  readonly anomalies = new Counters()
  readonly #skipped = new Counters()
  // The most frequent skip reasons are plain numbers on the hot path, folded into `skipped` when read.
  #notDns = 0
  #notDnsFolded = 0
  #notIp = 0
  #notIpFolded = 0
  #notUdpTcp = 0
  #notUdpTcpFolded = 0

  /** 1 at every DNS port: a typed-array lookup is cheaper than Set.has per packet */
  readonly #ports = new Uint8Array(65536)
  readonly #onDns: DnsPayloadSink
  readonly #info: PacketInfo
  readonly #frags: FragmentReassembler
  readonly #tcp: TcpReassembler
  /** the current frame was cut by the snaplen (caplen < wire length) */
  #cut = false
  #ts = 0

  constructor(options: DecodeOptions, onDns: DnsPayloadSink) {
    for (const p of options.ports) if (Number.isInteger(p) && p >= 0 && p <= 65535) this.#ports[p] = 1
    this.#onDns = onDns
    this.#info = {
      tsUs: 0,
      transport: 'udp',
      ipVersion: 4,
      addrBuf: new Uint8Array(0),
      srcOff: 0,
      dstOff: 0,
      srcPort: 0,
      dstPort: 0,
    }
    this.#frags = new FragmentReassembler(this.anomalies)
    this.#tcp = new TcpReassembler(this.anomalies, (buf, off, len) => {
      this.tcpMessages++
      this.#onDns(buf, off, len, this.#info)
    })
  }

  /** Frames that yielded no DNS payload, by reason ('port.not_dns', 'link.unsupported:<n>', ...). */
  get skipped(): Counters {
    const s = this.#skipped
    if (this.#notDns !== this.#notDnsFolded) s.inc('port.not_dns', this.#notDns - this.#notDnsFolded)
    if (this.#notIp !== this.#notIpFolded) s.inc('ip.not_ip', this.#notIp - this.#notIpFolded)
    if (this.#notUdpTcp !== this.#notUdpTcpFolded) {
      s.inc('l4.not_udp_tcp', this.#notUdpTcp - this.#notUdpTcpFolded)
    }
    this.#notDnsFolded = this.#notDns
    this.#notIpFolded = this.#notIp
    this.#notUdpTcpFolded = this.#notUdpTcp
    return s
  }

  /** TCP flows currently tracked (for tests and stats). */
  get tcpFlows(): number {
    return this.#tcp.flowCount
  }

  /** IP datagrams waiting for fragments. */
  get pendingFragments(): number {
    return this.#frags.pending
  }

  readonly decode: FrameSink = (linkType, buf, off, capLen, origLen, tsUs) => {
    this.frames++
    this.#cut = capLen < origLen
    this.#ts = tsUs
    const end = off + capLen
    switch (linkType) {
      case L.LINKTYPE_ETHERNET:
        this.#ether(buf, off, end, 0)
        return
      case L.LINKTYPE_LINUX_SLL:
        if (capLen < 16) this.#short('link.bad_header')
        else this.#etherType((buf[off + 14]! << 8) | buf[off + 15]!, buf, off + 16, end, 0)
        return
      case L.LINKTYPE_LINUX_SLL2:
        if (capLen < 20) this.#short('link.bad_header')
        else this.#etherType((buf[off]! << 8) | buf[off + 1]!, buf, off + 20, end, 0)
        return
      case L.LINKTYPE_RAW:
      case L.LINKTYPE_RAW_12:
      case L.LINKTYPE_RAW_14:
        this.#rawIp(buf, off, end, 0)
        return
      case L.LINKTYPE_IPV4:
        this.#ipv4(buf, off, end, 0)
        return
      case L.LINKTYPE_IPV6:
        this.#ipv6(buf, off, end, 0)
        return
      case L.LINKTYPE_FDDI:
        // frame control, destination, source; some BSD writers add 3 bytes of padding
        if (capLen >= 24 && buf[off + 13] !== 0xaa && buf[off + 16] === 0xaa) this.#llc(buf, off + 16, end, 0)
        else this.#llc(buf, off + 13, end, 0)
        return
      case L.LINKTYPE_IEEE802_11:
        this.#wlan(buf, off, end)
        return
      case L.LINKTYPE_IEEE802_11_RADIOTAP:
        if (capLen < 4) this.#short('link.bad_header')
        else this.#wlan(buf, off + (buf[off + 2]! | (buf[off + 3]! << 8)), end)
        return
      case L.LINKTYPE_NULL:
      case L.LINKTYPE_LOOP: {
        if (capLen < 4) {
          this.#short('link.bad_header')
          return
        }
        const be = ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0
        // DLT_NULL is in the writer's byte order (a family never exceeds 16 bits); DLT_LOOP is big-endian.
        const le = (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24)) >>> 0
        const family = linkType === L.LINKTYPE_LOOP || le > 0xffff ? be : le
        if (family === L.AF_INET) this.#ipv4(buf, off + 4, end, 0)
        else if (
          family === L.AF_INET6_BSD ||
          family === L.AF_INET6_FREEBSD ||
          family === L.AF_INET6_DARWIN ||
          family === L.AF_INET6_LINUX
        ) {
          this.#ipv6(buf, off + 4, end, 0)
        } else this.#notIp++
        return
      }
      default:
        this.#skipped.inc(`link.unsupported:${linkType}`)
    }
  }

  /** End of input: whatever is still waiting for fragments or TCP segments is counted as lost. */
  flush(): void {
    const frags = this.#frags.flush()
    if (frags > 0) this.anomalies.inc('frag.incomplete', frags)
    this.#tcp.flush()
  }

  #skip(reason: string): void {
    this.#skipped.inc(reason)
  }

  /** A header that does not fit: the snaplen's fault if the frame was cut, else malformed. */
  #short(reason: string): void {
    this.#skipped.inc(this.#cut ? 'truncated.snaplen' : reason)
  }

  #deeper(depth: number): boolean {
    if (depth < MAX_TUNNEL_DEPTH) return true
    this.anomalies.inc('tunnel.too_deep')
    this.#skip('tunnel.too_deep')
    return false
  }

  #ether(buf: Uint8Array, p: number, end: number, depth: number): void {
    if (end - p < 14) {
      this.#short('link.bad_header')
      return
    }
    this.#etherType((buf[p + 12]! << 8) | buf[p + 13]!, buf, p + 14, end, depth)
  }

  #etherType(type: number, buf: Uint8Array, p: number, end: number, depth: number): void {
    if (type === L.ETHERTYPE_IPV4) {
      this.#ipv4(buf, p, end, depth)
      return
    }
    let tags = 0
    while (type === L.ETHERTYPE_VLAN || type === L.ETHERTYPE_QINQ || type === L.ETHERTYPE_QINQ_OLD) {
      if (++tags > MAX_VLAN_TAGS) {
        this.#skip('link.too_many_vlan_tags')
        return
      }
      if (end - p < 4) {
        this.#short('link.bad_header')
        return
      }
      type = (buf[p + 2]! << 8) | buf[p + 3]!
      p += 4
    }
    if (type === L.ETHERTYPE_IPV4) this.#ipv4(buf, p, end, depth)
    else if (type === L.ETHERTYPE_IPV6) this.#ipv6(buf, p, end, depth)
    else if (type <= L.ETHER_MAX_LENGTH) this.#llc(buf, p, end, depth)
    else if (type === L.ETHERTYPE_MPLS || type === L.ETHERTYPE_MPLS_MULTICAST) this.#mpls(buf, p, end, depth)
    else if (type === L.ETHERTYPE_PPPOE_SESSION) {
      if (end - p < 8) this.#short('link.bad_header')
      else this.#ppp((buf[p + 6]! << 8) | buf[p + 7]!, buf, p + 8, end, depth)
    } else this.#notIp++
  }

  /** 802.2 LLC: only SNAP (AA AA 03, then an EtherType) can carry IP. */
  #llc(buf: Uint8Array, p: number, end: number, depth: number): void {
    if (end - p >= 8 && buf[p] === 0xaa && buf[p + 1] === 0xaa && buf[p + 2] === 0x03) {
      this.#etherType((buf[p + 6]! << 8) | buf[p + 7]!, buf, p + 8, end, depth)
    } else if (end - p < 3) this.#short('link.bad_header')
    else this.#notIp++
  }

  /** 802.11 data frames: header length depends on the address-4, QoS and HT-control fields. */
  #wlan(buf: Uint8Array, p: number, end: number): void {
    if (end - p < 24) {
      this.#short('link.bad_header')
      return
    }
    const fc0 = buf[p]!
    const fc1 = buf[p + 1]!
    const subtype = fc0 >> 4
    if (((fc0 >> 2) & 3) !== 2 || (subtype & 4) !== 0) {
      this.#skip('wlan.not_data') // management, control, or a data frame without payload
      return
    }
    if (fc1 & 0x40) {
      this.#skip('wlan.protected')
      return
    }
    let h = 24
    if ((fc1 & 3) === 3) h += 6
    if (subtype & 8) h += fc1 & 0x80 ? 6 : 2
    this.#llc(buf, p + h, end, 0)
  }

  #ppp(proto: number, buf: Uint8Array, p: number, end: number, depth: number): void {
    if (proto === L.PPP_IPV4) this.#ipv4(buf, p, end, depth)
    else if (proto === L.PPP_IPV6) this.#ipv6(buf, p, end, depth)
    else this.#notIp++
  }

  #mpls(buf: Uint8Array, p: number, end: number, depth: number): void {
    for (let i = 0; ; i++) {
      if (i >= MAX_MPLS_LABELS) {
        this.#skip('mpls.too_many_labels')
        return
      }
      if (end - p < 4) {
        this.#short('link.bad_header')
        return
      }
      const bottom = buf[p + 2]! & 1
      p += 4
      if (bottom) break
    }
    if (end - p < 1) {
      this.#short('link.bad_header')
      return
    }
    const nibble = buf[p]! >> 4
    if (nibble === 4) this.#ipv4(buf, p, end, depth)
    else if (nibble === 6) this.#ipv6(buf, p, end, depth)
    else if (nibble === 0 && this.#deeper(depth))
      this.#ether(buf, p + 4, end, depth + 1) // pseudowire control word
    else if (nibble !== 0) this.#notIp++
  }

  #rawIp(buf: Uint8Array, p: number, end: number, depth: number): void {
    if (end - p < 1) {
      this.#short('ip.bad_header')
      return
    }
    const v = buf[p]! >> 4
    if (v === 4) this.#ipv4(buf, p, end, depth)
    else if (v === 6) this.#ipv6(buf, p, end, depth)
    else this.#notIp++
  }

  #ipv4(buf: Uint8Array, p: number, end: number, depth: number): void {
    if (end - p < 20) {
      this.#short('ip.bad_header')
      return
    }
    const vihl = buf[p]!
    const ihl = (vihl & 15) << 2
    let total = (buf[p + 2]! << 8) | buf[p + 3]!
    if (total === 0) total = end - p // segmentation offload: the length was left for the NIC to fill
    if (vihl >> 4 !== 4 || ihl < 20 || total < ihl) {
      this.#skip('ip.bad_header')
      return
    }
    if (total > end - p) {
      // A cut datagram would hand out a cut DNS message: drop it.
      this.#short('ip.bad_length')
      return
    }
    // Trusting the IP length (not the frame length) drops Ethernet padding and trailers.
    const ipEnd = p + total
    const frag = ((buf[p + 6]! << 8) | buf[p + 7]!) & 0x3fff
    const proto = buf[p + 9]!
    if (frag !== 0) {
      const g = this.#frags.add(
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
        this.#ts,
      )
      if (g === null) this.#skip('ip.fragment')
      else this.#l4(proto, g.data!, 0, g.data!.length, 4, g.addr, 0, depth)
      return
    }
    this.#l4(proto, buf, p + ihl, ipEnd, 4, buf, p + 12, depth)
  }

  #ipv6(buf: Uint8Array, p: number, end: number, depth: number): void {
    if (end - p < 40) {
      this.#short('ip.bad_header')
      return
    }
    if (buf[p]! >> 4 !== 6) {
      this.#skip('ip.bad_header')
      return
    }
    const plen = (buf[p + 4]! << 8) | buf[p + 5]!
    let ipEnd = end // payload length 0: jumbogram or segmentation offload
    if (plen !== 0) {
      if (plen > end - p - 40) {
        this.#short('ip.bad_length')
        return
      }
      ipEnd = p + 40 + plen
    }
    this.#ipv6Chain(buf[p + 6]!, buf, p + 40, ipEnd, buf, p + 8, depth)
  }

  /** Walks IPv6 extension headers from `next` at buf[q] to the upper-layer protocol. */
  #ipv6Chain(
    next: number,
    buf: Uint8Array,
    q: number,
    end: number,
    addrBuf: Uint8Array,
    srcOff: number,
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
        case L.IPPROTO_FRAGMENT: {
          if (end - q < 8) break
          const fo = (buf[q + 2]! << 8) | buf[q + 3]!
          if ((fo & 0xfff9) === 0) {
            hlen = 8 // atomic fragment (offset 0, no more): just a header
            break
          }
          if (addrBuf !== buf || srcOff + 32 > q) {
            // a fragment header inside a reassembled datagram
            this.anomalies.inc('frag.nested')
            this.#skip('ip.fragment')
            return
          }
          const id = ((buf[q + 4]! << 24) | (buf[q + 5]! << 16) | (buf[q + 6]! << 8) | buf[q + 7]!) >>> 0
          const g = this.#frags.add(
            6,
            addrBuf,
            srcOff,
            id,
            buf[q]!,
            fo & 0xfff8,
            (fo & 1) !== 0,
            buf,
            q + 8,
            end,
            this.#ts,
          )
          if (g === null) this.#skip('ip.fragment')
          else this.#ipv6Chain(g.proto, g.data!, 0, g.data!.length, g.addr, 0, depth)
          return
        }
        case L.IPPROTO_ESP:
          this.#skip('ip.esp')
          return
        case L.IPPROTO_NONE:
          this.#skip('ip.no_next_header')
          return
        default:
          this.#l4(next, buf, q, end, 6, addrBuf, srcOff, depth)
          return
      }
      // an extension header: hlen stays -1 when its fixed part did not fit
      if (hlen < 0 || q + hlen > end) {
        this.#short('ip.bad_header')
        return
      }
      if (i + 1 >= MAX_IPV6_EXT_HEADERS) {
        this.anomalies.inc('ipv6.ext_header_loop')
        this.#skip('ipv6.ext_header_loop')
        return
      }
      next = buf[q]!
      q += hlen
    }
  }

  #l4(
    proto: number,
    buf: Uint8Array,
    p: number,
    end: number,
    ipVersion: 4 | 6,
    addrBuf: Uint8Array,
    srcOff: number,
    depth: number,
  ): void {
    if (proto === L.IPPROTO_UDP) this.#udp(buf, p, end, ipVersion, addrBuf, srcOff, depth)
    else if (proto === L.IPPROTO_TCP) this.#tcpSegment(buf, p, end, ipVersion, addrBuf, srcOff)
    else if (proto === L.IPPROTO_GRE) this.#gre(buf, p, end, depth)
    else if (proto === L.IPPROTO_IPIP) {
      if (this.#deeper(depth)) this.#ipv4(buf, p, end, depth + 1)
    } else if (proto === L.IPPROTO_IPV6) {
      if (this.#deeper(depth)) this.#ipv6(buf, p, end, depth + 1)
    } else if (proto === L.IPPROTO_ESP) this.#skip('ip.esp')
    else this.#notUdpTcp++
  }

  #udp(
    buf: Uint8Array,
    p: number,
    end: number,
    ipVersion: 4 | 6,
    addrBuf: Uint8Array,
    srcOff: number,
    depth: number,
  ): void {
    if (end - p < 8) {
      this.#short('udp.bad_header')
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
      this.#skip('udp.bad_length')
      return
    }
    const ports = this.#ports
    if ((ports[sport]! | ports[dport]!) !== 0) {
      const info = this.#info
      info.tsUs = this.#ts
      info.transport = 'udp'
      info.ipVersion = ipVersion
      info.addrBuf = addrBuf
      info.srcOff = srcOff
      info.dstOff = srcOff + (ipVersion === 4 ? 4 : 16)
      info.srcPort = sport
      info.dstPort = dport
      this.udpPayloads++
      this.#onDns(buf, p + 8, uend - p - 8, info)
      return
    }
    if (dport === VXLAN_PORT) this.#vxlan(buf, p + 8, uend, depth)
    else if (dport === GTP_U_PORT || sport === GTP_U_PORT) this.#gtpu(buf, p + 8, uend, depth)
    else if (dport === TEREDO_PORT || sport === TEREDO_PORT) this.#teredo(buf, p + 8, uend, depth)
    else if (dport === GRE_UDP_PORT) this.#gre(buf, p + 8, uend, depth)
    else this.#notDns++
  }

  #tcpSegment(
    buf: Uint8Array,
    p: number,
    end: number,
    ipVersion: 4 | 6,
    addrBuf: Uint8Array,
    srcOff: number,
  ): void {
    if (end - p < 20) {
      this.#short('tcp.bad_header')
      return
    }
    const sport = (buf[p]! << 8) | buf[p + 1]!
    const dport = (buf[p + 2]! << 8) | buf[p + 3]!
    const ports = this.#ports
    if ((ports[sport]! | ports[dport]!) === 0) {
      this.#notDns++
      return
    }
    const doff = (buf[p + 12]! >> 4) << 2
    if (doff < 20 || doff > end - p) {
      this.#skip('tcp.bad_header')
      return
    }
    const info = this.#info
    const alen = ipVersion === 4 ? 4 : 16
    info.tsUs = this.#ts
    info.transport = 'tcp'
    info.ipVersion = ipVersion
    info.addrBuf = addrBuf
    info.srcOff = srcOff
    info.dstOff = srcOff + alen
    info.srcPort = sport
    info.dstPort = dport
    const seq = ((buf[p + 4]! << 24) | (buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!) >>> 0
    const ack = ((buf[p + 8]! << 24) | (buf[p + 9]! << 16) | (buf[p + 10]! << 8) | buf[p + 11]!) >>> 0
    this.#tcp.segment(
      addrBuf,
      srcOff,
      alen,
      sport,
      dport,
      seq,
      ack,
      buf[p + 13]!,
      buf,
      p + doff,
      end,
      this.#ts,
    )
  }

  /** GRE version 0 (RFC 2784/2890): optional checksum, key and sequence words, then the payload. */
  #gre(buf: Uint8Array, p: number, end: number, depth: number): void {
    if (!this.#deeper(depth)) return
    if (end - p < 4) {
      this.#short('gre.bad_header')
      return
    }
    const flags = (buf[p]! << 8) | buf[p + 1]!
    const proto = (buf[p + 2]! << 8) | buf[p + 3]!
    if ((flags & 7) !== 0 || (flags & 0x4000) !== 0) {
      this.#skip('gre.unsupported') // version 1 (PPTP) or source routing
      return
    }
    let q = p + 4
    if (flags & 0x8000) q += 4
    if (flags & 0x2000) q += 4
    if (flags & 0x1000) q += 4
    if (q > end) {
      this.#short('gre.bad_header')
      return
    }
    const d = depth + 1
    if (proto === L.ETHERTYPE_IPV4) this.#ipv4(buf, q, end, d)
    else if (proto === L.ETHERTYPE_IPV6) this.#ipv6(buf, q, end, d)
    else if (proto === L.ETHERTYPE_TEB) this.#ether(buf, q, end, d)
    else if (proto === L.ETHERTYPE_ERSPAN)
      this.#ether(buf, flags & 0x1000 ? q + 8 : q, end, d) // type II has an 8-byte header, type I none
    else if (proto === L.ETHERTYPE_MPLS) this.#mpls(buf, q, end, d)
    else this.#skip('gre.unsupported')
  }

  /** VXLAN (RFC 7348): 8-byte header with the I flag, then an Ethernet frame. */
  #vxlan(buf: Uint8Array, p: number, end: number, depth: number): void {
    if (end - p < 8 || (buf[p]! & 0x08) === 0) {
      this.#notDns++
      return
    }
    if (this.#deeper(depth)) this.#ether(buf, p + 8, end, depth + 1)
  }

  /** GTP-U v1 (3GPP TS 29.281) G-PDU: 8-byte header, optional 4 more, extension headers, then IP. */
  #gtpu(buf: Uint8Array, p: number, end: number, depth: number): void {
    if (end - p < 8 || buf[p]! >> 5 !== 1 || (buf[p]! & 0x10) === 0 || buf[p + 1] !== 0xff) {
      this.#notDns++
      return
    }
    let q = p + 8
    if (buf[p]! & 0x07) {
      if (end - q < 4) {
        this.#short('gtp.bad_header')
        return
      }
      let ext = buf[q + 3]!
      q += 4
      while (ext !== 0) {
        if (end - q < 4 || buf[q] === 0) {
          this.#short('gtp.bad_header')
          return
        }
        q += buf[q]! << 2
        if (q > end) {
          this.#short('gtp.bad_header')
          return
        }
        ext = buf[q - 1]!
      }
    }
    if (this.#deeper(depth)) this.#rawIp(buf, q, end, depth + 1)
  }

  /** Teredo (RFC 4380): optional authentication and origin-indication headers, then IPv6. */
  #teredo(buf: Uint8Array, p: number, end: number, depth: number): void {
    let q = p
    if (end - q >= 4 && buf[q] === 0 && buf[q + 1] === 1) q += 4 + buf[q + 2]! + buf[q + 3]! + 9
    if (end - q >= 8 && buf[q] === 0 && buf[q + 1] === 0) q += 8
    if (q < end && buf[q]! >> 4 === 6) {
      if (this.#deeper(depth)) this.#ipv6(buf, q, end, depth + 1)
    } else this.#notDns++
  }
}
