/**
 * Contracts between the capture layers. The hot path allocates nothing per packet: readers hand
 * out (buffer, offset, length) triples and one mutable PacketInfo is reused for every DNS payload.
 */

/** One captured frame as a file reader (pcap, pcapng) hands it to the link decoder. */
export type FrameSink = (
  linkType: number,
  buf: Uint8Array,
  off: number,
  capLen: number,
  origLen: number,
  tsUs: number,
) => void

/**
 * Where a DNS message came from. The decoder reuses one instance: a sink that keeps anything
 * beyond the call must copy it. Addresses stay raw (4 or 16 bytes in addrBuf) and are formatted
 * only when the operator asked for client addresses.
 */
export interface PacketInfo {
  /** capture time of the frame (for TCP: of the segment that completed the message), µs since epoch */
  tsUs: number
  transport: 'udp' | 'tcp'
  ipVersion: 4 | 6
  addrBuf: Uint8Array
  srcOff: number
  dstOff: number
  srcPort: number
  dstPort: number
}

/** Receives one DNS message (UDP payload, or one length-prefixed message out of a TCP stream). */
export type DnsPayloadSink = (buf: Uint8Array, off: number, len: number, info: PacketInfo) => void

/**
 * Named counters: skipped frames by reason, anomalies by name. Hot-path totals are plain fields
 * elsewhere; these are for rare events, so a Map is fine.
 */
export class Counters {
  readonly #m = new Map<string, number>()

  inc(name: string, by = 1): void {
    this.#m.set(name, (this.#m.get(name) ?? 0) + by)
  }

  /** Adds every count of `other` to this one. */
  addAll(other: Counters): void {
    for (const [k, v] of other.#m) this.inc(k, v)
  }

  get(name: string): number {
    return this.#m.get(name) ?? 0
  }

  total(): number {
    let t = 0
    for (const v of this.#m.values()) t += v
    return t
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.#m.entries()].sort((a, b) => b[1] - a[1]))
  }
}

/** Options shared by the decoders. */
export interface DecodeOptions {
  /** UDP/TCP ports whose traffic is DNS (either direction). Default DEFAULT_DNS_PORTS. */
  ports: ReadonlySet<number>
}
