/**
 * libpcap's offline mode: compiling a filter without opening a live handle, and reading a capture
 * file through a filter (how the tests check the live filter against real VLAN-tagged traffic).
 *
 * Offline handles, unlike live ones, close for sure: libpcap's savefile reader tests the
 * pcap_breakloop flag before reading, so close() followed by one dispatch always ends in -2, where
 * the addon calls pcap_close.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PdnsError } from '../../errors.ts'
import type { FrameSink } from '../types.ts'
import type { PcapBinding, RawPcapSession } from './binding.ts'
import { linkTypeNumber } from './link-type.ts'
import { frameView, PcapHeader } from './pcap-header.ts'

const ignoreWarning = (): void => {}

/**
 * Closes an offline handle. A session whose open failed before libpcap made a handle holds NULL, on
 * which dispatch would crash the process; the addon's stats() says so ("already closed"), while on
 * a real savefile handle it fails differently (savefiles have no statistics).
 */
function release(raw: RawPcapSession, buf: Buffer, hdr: Buffer): void {
  try {
    raw.stats()
  } catch (err) {
    if (/already closed/.test((err as Error).message)) return
  }
  raw.close()
  raw.dispatch(buf, hdr)
}

/**
 * Compiles `filter` the way a live handle of link type `linkType` would (against an empty capture
 * file of that type). Returns null when it compiles, else libpcap's message.
 */
export function filterError(binding: PcapBinding, filter: string, linkType: number): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'pdns-bpf-'))
  try {
    const path = join(dir, 'empty.pcap')
    const head = Buffer.alloc(24)
    head.writeUInt32LE(0xa1b2c3d4, 0)
    head.writeUInt16LE(2, 4)
    head.writeUInt16LE(4, 6)
    head.writeUInt32LE(65535, 16)
    head.writeUInt32LE(linkType, 20)
    writeFileSync(path, head)
    const raw = new binding.PcapSession()
    // a failure after pcap_open_offline (compile, setfilter) leaves the handle open: release it too
    let error: string | null = null
    try {
      raw.open_offline(path, filter, 0, 65535, '', ignoreWarning, false, 0, ignoreWarning, false)
    } catch (err) {
      error = (err as Error).message
    }
    release(raw, Buffer.alloc(64), Buffer.alloc(16))
    return error
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface FilteredRead {
  linkType: number
  /** frames that passed the filter */
  frames: number
  /** false when libpcap stopped on an error (a damaged file) before the end */
  complete: boolean
}

/**
 * Reads a pcap or pcapng file with libpcap, handing the frames that pass `filter` to `sink`
 * (synchronously; the buffer is reused per frame). A file libpcap cannot open is
 * ERR_FILE_UNREADABLE, a filter it cannot compile for the file's link type ERR_CAPTURE_INTERFACE,
 * both with libpcap's message.
 */
export function readFiltered(
  binding: PcapBinding,
  path: string,
  filter: string,
  sink: FrameSink,
): FilteredRead {
  // a savefile's records may be up to libpcap's 256 KiB maximum whatever its snaplen says
  const buf = Buffer.alloc(262_144)
  const hdr = new PcapHeader()
  // Open once without a filter: a failure then can only be pcap_open_offline's, which leaves no
  // handle (after a failed compile the addon keeps one open that only a dispatch releases, and from
  // the outside the two failures look alike).
  const probe = new binding.PcapSession()
  let name: string
  try {
    name = probe.open_offline(path, '', 0, 65535, '', ignoreWarning, false, 0, ignoreWarning, false)
  } catch (err) {
    throw new PdnsError('ERR_FILE_UNREADABLE', `libpcap cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
    })
  }
  release(probe, buf, hdr.buf)
  const linkType = linkTypeNumber(name) ?? -1
  const bad = filterError(binding, filter, linkType)
  if (bad !== null) {
    throw new PdnsError('ERR_CAPTURE_INTERFACE', `BPF filter does not compile for ${path}: ${bad}`)
  }
  const frame = frameView(buf)
  let frames = 0
  // an exception escaping into the addon's callback would be a fatal one: carry it out instead
  let thrown: { err: unknown } | null = null
  const onPacket = () => {
    if (thrown !== null) return
    frames++
    try {
      sink(linkType, frame, 0, Math.min(hdr.capLen, buf.length), hdr.origLen, hdr.tsUs)
    } catch (err) {
      thrown = { err }
    }
  }
  const raw = new binding.PcapSession()
  raw.open_offline(path, filter, 0, 65535, '', onPacket, false, 0, ignoreWarning, false)
  // the addon returns after a bounded number of packets (scripts/tools/build-native.js patches it so
  // that a flood cannot starve the event loop): call again until the file is read (0) or failed
  let rc: number
  do rc = raw.dispatch(buf, hdr.buf)
  while (rc > 0 && thrown === null)
  release(raw, buf, hdr.buf)
  if (thrown !== null) throw (thrown as { err: unknown }).err
  return { linkType, frames, complete: rc === 0 }
}
