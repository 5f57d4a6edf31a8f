/**
 * pcapng: any number of sections (each SHB sets its own byte order and forgets the previous
 * interfaces), any number of interfaces with their own link type, snaplen, if_tsresol and
 * if_tsoffset. Frames come from Enhanced (6), Simple (3) and obsolete Packet (2) blocks; every
 * other block is skipped and counted.
 */

import { MAX_PCAPNG_BLOCK, MAX_PCAPNG_INTERFACES, MAX_PCAPNG_OPTIONS } from '../limits.ts'
import type { FrameSink } from '../types.ts'
import type { BufferedReader } from './buffered-reader.ts'
import { u16, u32 } from './bytes.ts'
import { PCAPNG_BYTE_ORDER_MAGIC, PCAPNG_SHB_TYPE } from './detect.ts'
import { corrupt, type ReadState } from './read-state.ts'

const BT_IDB = 1
const BT_PB = 2
const BT_SPB = 3
const BT_EPB = 6
const OPT_END = 0
const OPT_IF_TSRESOL = 9
const OPT_IF_TSOFFSET = 14
const TWO32 = 4294967296

/** How an interface's 64-bit timestamp units turn into µs (chosen once per IDB, exact where it matters). */
const TS_MICRO = 0 // units are µs
const TS_DEC_DIV = 1 // units are 10^-k s, k in 7..12: exact split division by 10^(k-6)
const TS_DEC_MUL = 2 // units are 10^-k s, k < 6: multiply
const TS_BIN = 3 // units are 2^-k s
const TS_FLOAT = 4 // anything else: float division
/** Finest binary resolution whose sub-second part times 10^6 still fits in 2^53 (2^33 * 10^6 < 2^53). */
const MAX_FLOAT_BIN_K = 33

class Iface {
  linkType = 0
  snapLen = 0
  mode = TS_MICRO
  /** divisor (TS_DEC_DIV, TS_FLOAT), multiplier (TS_DEC_MUL) or k (TS_BIN) */
  param = 1
  offsetUs = 0
}

function setResolution(ifc: Iface, v: number): void {
  if (v & 0x80) {
    ifc.mode = TS_BIN
    ifc.param = v & 0x7f
  } else if (v === 6) {
    ifc.mode = TS_MICRO
  } else if (v < 6) {
    ifc.mode = TS_DEC_MUL
    ifc.param = 10 ** (6 - v)
  } else if (v <= 12) {
    ifc.mode = TS_DEC_DIV
    ifc.param = 10 ** (v - 6)
  } else {
    ifc.mode = TS_FLOAT
    ifc.param = 10 ** (v - 6)
  }
}

function toUs(ifc: Iface, high: number, low: number): number {
  const mode = ifc.mode
  let us: number
  if (mode === TS_MICRO) {
    us = high * TWO32 + low
  } else if (mode === TS_DEC_DIV) {
    // (high*2^32 + low) / D without exceeding 2^53 on the way: split high into q*D + r.
    const d = ifc.param
    const q = Math.floor(high / d)
    us = q * TWO32 + Math.floor(((high - q * d) * TWO32 + low) / d)
  } else if (mode === TS_DEC_MUL) {
    us = (high * TWO32 + low) * ifc.param
  } else if (mode === TS_BIN) {
    const k = ifc.param
    if (k <= MAX_FLOAT_BIN_K) {
      // split off whole seconds; frac < 2^k, so frac * 10^6 stays below 2^53 and is exact
      let sec: number
      let frac: number
      if (k <= 32) {
        const unit = 2 ** k
        const lowSec = Math.floor(low / unit)
        sec = high * 2 ** (32 - k) + lowSec
        frac = low - lowSec * unit
      } else {
        const hiUnit = 2 ** (k - 32)
        sec = Math.floor(high / hiUnit)
        frac = (high - sec * hiUnit) * TWO32 + low
      }
      us = sec * 1e6 + Math.floor((frac * 1e6) / 2 ** k)
    } else {
      // Finer than 2^-33 s (rare): frac * 10^6 would need more than 53 bits and could round up
      // into the next µs, so compute floor(units * 10^6 / 2^k) exactly.
      us = Number(((BigInt(high) * 4294967296n + BigInt(low)) * 1_000_000n) >> BigInt(k))
    }
  } else {
    us = Math.floor((high * TWO32 + low) / ifc.param)
  }
  return us + ifc.offsetUs
}

function parseIdb(b: Uint8Array, pos: number, blen: number, le: boolean): Iface {
  const ifc = new Iface()
  ifc.linkType = u16(b, pos + 8, le)
  ifc.snapLen = u32(b, pos + 12, le)
  let p = pos + 16
  const end = pos + blen - 4
  for (let i = 0; i < MAX_PCAPNG_OPTIONS && p + 4 <= end; i++) {
    const code = u16(b, p, le)
    const len = u16(b, p + 2, le)
    if (code === OPT_END || p + 4 + len > end) break
    if (code === OPT_IF_TSRESOL && len >= 1) setResolution(ifc, b[p + 4]!)
    else if (code === OPT_IF_TSOFFSET && len >= 8) {
      const hi = u32(b, p + 4 + (le ? 4 : 0), le) | 0 // signed seconds
      const lo = u32(b, p + 4 + (le ? 0 : 4), le)
      ifc.offsetUs = (hi * TWO32 + lo) * 1e6
    }
    p += 4 + ((len + 3) & ~3)
  }
  return ifc
}

export async function readPcapng(r: BufferedReader, onFrame: FrameSink, st: ReadState): Promise<void> {
  let le = true
  let ifaces: Iface[] = []
  let lastTs = 0
  let frames = st.frames
  const fail = (pos: number, what: string) => {
    r.pos = pos
    st.frames = frames
    return corrupt(st, r.offset, what)
  }
  for (;;) {
    const buf = r.buf
    const end = r.end
    let pos = r.pos
    let need = 12
    while (end - pos >= 12) {
      const type = u32(buf, pos, le)
      if (type === PCAPNG_SHB_TYPE) {
        // The byte-order magic decides how this section, its own length included, is read.
        const bom = u32(buf, pos + 8, false)
        if (bom === PCAPNG_BYTE_ORDER_MAGIC) le = false
        else if (u32(buf, pos + 8, true) === PCAPNG_BYTE_ORDER_MAGIC) le = true
        else throw fail(pos, 'pcapng section header has no valid byte-order magic')
      }
      const blen = u32(buf, pos + 4, le)
      if (blen < 12 || (blen & 3) !== 0 || blen > MAX_PCAPNG_BLOCK) {
        throw fail(pos, `pcapng block length ${blen} is invalid (type 0x${type.toString(16)})`)
      }
      if (end - pos < blen) {
        need = blen
        break
      }
      if (u32(buf, pos + blen - 4, le) !== blen) {
        throw fail(pos, `pcapng block trailer length does not match ${blen}`)
      }
      if (type === BT_EPB || type === BT_PB) {
        if (blen < 32) throw fail(pos, `pcapng packet block too short (${blen})`)
        const id = type === BT_EPB ? u32(buf, pos + 8, le) : u16(buf, pos + 8, le)
        const ifc = ifaces[id]
        if (ifc === undefined) throw fail(pos, `pcapng packet for undeclared interface ${id}`)
        const capLen = u32(buf, pos + 20, le)
        if (capLen > blen - 32) throw fail(pos, `pcapng captured length ${capLen} overruns its block`)
        lastTs = toUs(ifc, u32(buf, pos + 12, le), u32(buf, pos + 16, le))
        onFrame(ifc.linkType, buf, pos + 28, capLen, u32(buf, pos + 24, le), lastTs)
        frames++
      } else if (type === BT_SPB) {
        // Simple packets belong to interface 0, carry no timestamp and no captured length.
        const ifc = ifaces[0]
        if (ifc === undefined || blen < 16) throw fail(pos, 'pcapng simple packet block without interface 0')
        const origLen = u32(buf, pos + 8, le)
        let capLen = Math.min(origLen, blen - 16)
        if (ifc.snapLen !== 0 && capLen > ifc.snapLen) capLen = ifc.snapLen
        onFrame(ifc.linkType, buf, pos + 12, capLen, origLen, lastTs)
        frames++
      } else if (type === BT_IDB) {
        if (blen < 20) throw fail(pos, `pcapng interface block too short (${blen})`)
        if (ifaces.length >= MAX_PCAPNG_INTERFACES) throw fail(pos, 'too many pcapng interfaces')
        ifaces.push(parseIdb(buf, pos, blen, le))
      } else if (type === PCAPNG_SHB_TYPE) {
        if (blen < 28) throw fail(pos, `pcapng section header too short (${blen})`)
        const major = u16(buf, pos + 12, le)
        if (major !== 1) throw fail(pos, `unsupported pcapng version ${major}`)
        ifaces = []
      } else {
        st.skippedBlocks++
      }
      pos += blen
    }
    r.pos = pos
    st.frames = frames
    if (!(await r.fill(need))) return
  }
}
