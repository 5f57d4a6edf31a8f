/**
 * Classic libpcap files: a 24-byte global header, then records of a 16-byte header (24 in the
 * modified variant) and the captured bytes. Records are handed out in place; the loop only
 * awaits when the buffer runs dry.
 */

import { MAX_PCAP_RECORD } from '../limits.ts'
import type { FrameSink } from '../types.ts'
import type { BufferedReader } from './buffered-reader.ts'
import { u32 } from './bytes.ts'
import { PCAP_MAGIC_MODIFIED, PCAP_MAGIC_NS } from './detect.ts'
import { corrupt, type ReadState } from './read-state.ts'

const GLOBAL_HEADER = 24

/**
 * Reads every record; returns at end of input (the caller reports a partial record left in the
 * reader as truncation) and throws ERR_CORRUPT_CAPTURE on an impossible record length.
 */
export async function readPcap(r: BufferedReader, onFrame: FrameSink, st: ReadState): Promise<void> {
  if (!(await r.fill(GLOBAL_HEADER))) return
  const h = r.buf
  const p0 = r.pos
  // Every pcap magic starts with 0xa1 big-endian, so the first byte gives the file's byte order.
  const le = h[p0] !== 0xa1
  const magic = u32(h, p0, le)
  const nano = magic === PCAP_MAGIC_NS
  const hdr = magic === PCAP_MAGIC_MODIFIED ? 24 : 16
  // The upper bits of the link-type word carry FCS information, not the link type.
  const linkType = u32(h, p0 + 20, le) & 0xffff
  r.pos += GLOBAL_HEADER

  let frames = st.frames
  for (;;) {
    const buf = r.buf
    const end = r.end
    let pos = r.pos
    let need = hdr
    while (end - pos >= hdr) {
      const incl = u32(buf, pos + 8, le)
      if (incl > MAX_PCAP_RECORD) {
        r.pos = pos
        st.frames = frames
        throw corrupt(st, r.offset, `pcap record length ${incl} exceeds ${MAX_PCAP_RECORD}`)
      }
      if (end - pos - hdr < incl) {
        need = hdr + incl
        break
      }
      const sec = u32(buf, pos, le)
      const frac = u32(buf, pos + 4, le)
      const tsUs = sec * 1e6 + (nano ? Math.floor(frac / 1000) : frac)
      onFrame(linkType, buf, pos + hdr, incl, u32(buf, pos + 12, le), tsUs)
      frames++
      pos += hdr + incl
    }
    r.pos = pos
    st.frames = frames
    if (!(await r.fill(need))) return
  }
}
