/**
 * Frame → DNS payload. Walks link, IP and transport headers by offset arithmetic on the frame
 * buffer, unwraps common tunnels, reassembles IP fragments and TCP streams, and hands every DNS
 * payload to the sink with one reused PacketInfo. The common case (Ethernet/IPv4/UDP) allocates
 * nothing and touches each header byte once.
 *
 * The layers are plain functions over one DecoderState per decoder: link-layer.ts → ip.ts →
 * transport.ts, with tunnels.ts leading back into the link and IP layers.
 */
import { Counters, type DecodeOptions, type DnsPayloadSink, type FrameSink } from '../types.ts'
import { DecoderState } from './decoder-state.ts'
import { decodeLink } from './link-layer.ts'

export class PacketDecoder {
  /** capture-level anomalies: fragments and TCP streams that could not be put together, tunnels too deep... */
  readonly anomalies = new Counters()
  readonly #s: DecoderState

  constructor(options: DecodeOptions, onDns: DnsPayloadSink) {
    this.#s = new DecoderState(options.ports, this.anomalies, onDns)
  }

  /** frames seen */
  get frames(): number {
    return this.#s.frames
  }

  /** DNS payloads handed out from UDP */
  get udpPayloads(): number {
    return this.#s.udpPayloads
  }

  /** DNS messages handed out from TCP streams */
  get tcpMessages(): number {
    return this.#s.tcpMessages
  }

  /** Frames that yielded no DNS payload, by reason ('port.not_dns', 'link.unsupported:<n>', ...). */
  get skipped(): Counters {
    const st = this.#s
    const out = new Counters()
    out.addAll(st.skipped)
    // the most frequent reasons are plain numbers on the hot path
    if (st.notDns > 0) out.inc('port.not_dns', st.notDns)
    if (st.notIp > 0) out.inc('ip.not_ip', st.notIp)
    if (st.notUdpTcp > 0) out.inc('l4.not_udp_tcp', st.notUdpTcp)
    return out
  }

  /** TCP flows currently tracked (for tests and stats). */
  get tcpFlows(): number {
    return this.#s.tcp.flowCount
  }

  /** IP datagrams waiting for fragments. */
  get pendingFragments(): number {
    return this.#s.frags.pending
  }

  readonly decode: FrameSink = (linkType, buf, off, capLen, origLen, tsUs) => {
    const s = this.#s
    s.frames++
    s.cut = capLen < origLen
    s.ts = tsUs
    try {
      decodeLink(s, linkType, buf, off, capLen)
    } catch {
      const sink = s.sinkFailure
      if (sink !== null) {
        s.sinkFailure = null
        throw sink.err
      }
      // Last-resort net: every path is bounds-checked, so this is a bug; it must cost one frame,
      // never the capture or the sensor.
      s.anomalies.inc('decoder.internal_error')
      s.skip('decoder.internal_error')
    }
  }

  /** End of input: whatever is still waiting for fragments or TCP segments is counted as lost. */
  flush(): void {
    const s = this.#s
    const frags = s.frags.flush()
    if (frags > 0) this.anomalies.inc('frag.incomplete', frags)
    s.tcp.flush()
  }
}
