/**
 * The 16-byte packet header the addon fills per packet (pcap_session.cc PacketReady): the first 4
 * bytes of tv_sec and of tv_usec, then caplen and len, each copied in host byte order. On the
 * little-endian hosts we ship for (x64, arm64) the first 4 bytes of the 64-bit time_t and suseconds_t
 * are their low halves: seconds are exact until 2106, microseconds always.
 */
export class PcapHeader {
  readonly buf = Buffer.alloc(16)

  /** capture time, µs since the epoch */
  get tsUs(): number {
    return this.buf.readUInt32LE(0) * 1_000_000 + this.buf.readUInt32LE(4)
  }

  /** bytes captured (at most the snaplen) */
  get capLen(): number {
    return this.buf.readUInt32LE(8)
  }

  /** length of the frame on the wire */
  get origLen(): number {
    return this.buf.readUInt32LE(12)
  }
}

/**
 * The addon's packet buffer as a plain Uint8Array over the same memory. Sinks keep parts of a frame
 * with Uint8Array#slice, which copies; on a Node Buffer slice() is a view, and the next packet would
 * overwrite what the decoder kept (IP fragments, out-of-order TCP segments).
 */
export function frameView(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
}
