/**
 * Capture format detection by content (magic numbers), never by file name: gzip, classic pcap
 * (µs, ns and the modified "Kuznetzov" variant, either byte order) and pcapng.
 */
import { u32 } from './bytes.ts'

export type DetectedFormat = 'gzip' | 'pcap' | 'pcapng'

/** Bytes needed to tell the formats apart (pcapng needs its byte-order magic at offset 8). */
export const DETECT_BYTES = 12

/** Classic pcap magics as read big-endian from the first four bytes. */
export const PCAP_MAGIC_US = 0xa1b2c3d4
export const PCAP_MAGIC_NS = 0xa1b23c4d
/** Alexey Kuznetzov's modified pcap: 8 extra bytes per record header, µs timestamps. */
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34
export const PCAPNG_SHB_TYPE = 0x0a0d0d0a
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d

const swap32 = (v: number): number =>
  (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0

function isPcapMagic(v: number): boolean {
  return v === PCAP_MAGIC_US || v === PCAP_MAGIC_NS || v === PCAP_MAGIC_MODIFIED
}

/** Format of a stream starting with `head` (at least 4 bytes; 12 to recognise pcapng), or null. */
export function detectFormat(head: Uint8Array, len = head.length): DetectedFormat | null {
  if (len >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip'
  if (len < 4) return null
  const m = u32(head, 0, false)
  if (isPcapMagic(m) || isPcapMagic(swap32(m))) return 'pcap'
  if (m === PCAPNG_SHB_TYPE && len >= 12) {
    const bom = u32(head, 8, false)
    if (bom === PCAPNG_BYTE_ORDER_MAGIC || swap32(bom) === PCAPNG_BYTE_ORDER_MAGIC) return 'pcapng'
  }
  return null
}

/** The first bytes as hex, for error messages. */
export function hexHead(head: Uint8Array, len: number, max = 16): string {
  const parts: string[] = []
  for (let i = 0; i < Math.min(len, max); i++) parts.push(head[i]!.toString(16).padStart(2, '0'))
  return parts.join(' ')
}
