/**
 * The mutable state one PacketDecoder shares with its layer functions (link-layer.ts, ip.ts,
 * transport.ts, tunnels.ts). Each decoder owns exactly one instance, so every property access in
 * those functions sees one shape and stays monomorphic; nothing here is allocated per packet.
 * Internal to the decode folder: the public face is PacketDecoder.
 */
import { MAX_TUNNEL_DEPTH } from '../limits.ts'
import { Counters, type DnsPayloadSink, type PacketInfo } from '../types.ts'
import { FragmentReassembler } from './ip-fragments.ts'
import { TcpReassembler } from './tcp-reassembly.ts'

/** Source and destination (address and port) trade places. */
function swapEndpoints(info: PacketInfo): void {
  const srcOff = info.srcOff
  const srcPort = info.srcPort
  info.srcOff = info.dstOff
  info.dstOff = srcOff
  info.srcPort = info.dstPort
  info.dstPort = srcPort
}

export class DecoderState {
  /** 1 at every DNS port: a typed-array lookup is cheaper than Set.has per packet */
  readonly ports = new Uint8Array(65536)
  readonly onDns: DnsPayloadSink
  /**
   * Reused for every DNS payload. The IP layer fills in the addresses of the innermost IP header
   * as it goes (ipVersion, addrBuf, srcOff, dstOff); the transport layer adds the rest.
   */
  readonly info: PacketInfo
  readonly anomalies: Counters
  readonly skipped = new Counters()
  readonly frags: FragmentReassembler
  readonly tcp: TcpReassembler

  /** the current frame was cut by the snaplen (caplen < wire length) */
  cut = false
  /** capture time of the current frame, µs */
  ts = 0

  frames = 0
  udpPayloads = 0
  tcpMessages = 0
  // The most frequent skip reasons are plain numbers on the hot path; PacketDecoder.skipped adds them.
  notDns = 0
  notIp = 0
  notUdpTcp = 0
  /** set when the DNS sink threw: that error belongs to the caller, not to the decoder's net */
  sinkFailure: { err: unknown } | null = null

  constructor(ports: Iterable<number>, anomalies: Counters, onDns: DnsPayloadSink) {
    for (const p of ports) if (Number.isInteger(p) && p >= 0 && p <= 65535) this.ports[p] = 1
    this.anomalies = anomalies
    // The decoder swallows its own failures (a bug must cost one frame), but never the sink's:
    // remember what the sink threw so PacketDecoder.decode can pass it on unchanged.
    this.onDns = (buf, off, len, info) => {
      try {
        onDns(buf, off, len, info)
      } catch (err) {
        this.sinkFailure = { err }
        throw err
      }
    }
    const info: PacketInfo = {
      tsUs: 0,
      transport: 'udp',
      ipVersion: 4,
      addrBuf: new Uint8Array(0),
      srcOff: 0,
      dstOff: 0,
      srcPort: 0,
      dstPort: 0,
    }
    this.info = info
    this.frags = new FragmentReassembler(anomalies)
    this.tcp = new TcpReassembler(anomalies, (buf, off, len, reversed) => {
      this.tcpMessages++
      if (!reversed) {
        this.onDns(buf, off, len, info)
        return
      }
      // the message travelled against the current segment; put the segment's endpoints back after
      swapEndpoints(info)
      this.onDns(buf, off, len, info)
      swapEndpoints(info)
    })
  }

  skip(reason: string): void {
    this.skipped.inc(reason)
  }

  /** A header that does not fit: the snaplen's fault if the frame was cut, else malformed. */
  short(reason: string): void {
    this.skipped.inc(this.cut ? 'truncated.snaplen' : reason)
  }

  /** May one more encapsulation be unwrapped at this depth? Counts the refusal if not. */
  deeper(depth: number): boolean {
    if (depth < MAX_TUNNEL_DEPTH) return true
    this.anomalies.inc('tunnel.too_deep')
    this.skipped.inc('tunnel.too_deep')
    return false
  }
}
