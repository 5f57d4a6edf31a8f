/**
 * The state TCP reassembly keeps per flow and per direction, and the small sequence-number and
 * message-start helpers it works with (tcp-reassembly.ts does the reassembling).
 */
export const TCP_FIN = 0x01
export const TCP_SYN = 0x02
export const TCP_RST = 0x04
export const TCP_ACK = 0x10

/** Smallest DNS message: the 12-byte header. */
const DNS_HEADER = 12
/** How often (capture time) idle flows are looked for. */
export const IDLE_SCAN_INTERVAL_US = 1_000_000
/** Partial-message buffers larger than this are released once their message is out. */
export const KEEP_BUFFER_BYTES = 4096
/** Smallest partial-message buffer: most messages fit, and a bigger one grows by doubling. */
export const MIN_PARTIAL_BYTES = 512
/**
 * What an out-of-order segment costs beyond its bytes (segment object, typed array, array slot),
 * charged against the buffer limits so that tiny segments cannot hold far more memory than counted.
 */
export const SEGMENT_OVERHEAD_BYTES = 256

export interface Segment {
  seq: number
  data: Uint8Array
}

export class Direction {
  synced = false
  sawSyn = false
  isn = 0
  /** next expected sequence number (uint32) */
  next = 0
  /**
   * a partial message (length prefix included) in buf[0, len), waiting for more bytes; the whole
   * capacity of buf is charged to the buffer limits, since that is the memory it holds
   */
  buf: Uint8Array | null = null
  len = 0
  /** segments past `next`, sorted by sequence */
  ooo: Segment[] = []
  /** charged cost of `ooo`: its bytes plus SEGMENT_OVERHEAD_BYTES per segment */
  oooBytes = 0
  fin = false

  /** bytes charged for the partial-message buffer */
  get held(): number {
    return this.buf === null ? 0 : this.buf.length
  }
}

export class Flow {
  readonly key: string
  lastTs: number
  readonly dirs: [Direction, Direction] = [new Direction(), new Direction()]

  constructor(key: string, ts: number) {
    this.key = key
    this.lastTs = ts
  }

  /** what the flow is charged for: partial-message buffers and out-of-order segments */
  get bytes(): number {
    const [a, b] = this.dirs
    return a.held + a.oooBytes + b.held + b.oooBytes
  }
}

/** signed distance a - b between two 32-bit sequence numbers */
export const seqDiff = (a: number, b: number): number => (a - b) | 0

/** Could buf[p, end) start a length-prefixed DNS message? Used only to sync without a SYN. */
export function looksLikeMessageStart(buf: Uint8Array, p: number, end: number): boolean {
  if (end - p < 2) return false
  const mlen = (buf[p]! << 8) | buf[p + 1]!
  if (mlen < DNS_HEADER) return false
  if (end - p >= 2 + DNS_HEADER) {
    const opcode = (buf[p + 4]! >> 3) & 15
    const qd = (buf[p + 6]! << 8) | buf[p + 7]!
    if (opcode === 3 || opcode > 6 || qd > 1) return false
  }
  return true
}
