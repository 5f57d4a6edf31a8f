/**
 * The libpcap binding of the `pcap` package (3.1.0), loaded lazily: file parsing and dnstap work on
 * hosts where the optional addon is missing or was built without libpcap-dev.
 *
 * We load the compiled addon (`build/Release/pcap_binding.node`) rather than the package's pcap.js
 * wrapper because the wrapper (1) never releases a handle on close() (it calls pcap_breakloop only)
 * and hides the raw session we need to finish the release, (2) reports libpcap warnings through a
 * module-global handler that prints to the console, (3) on a failed open throws before handing out
 * the session that holds the half-opened handle, and (4) pulls in a packet decoder we do not use.
 * The addon's own API is small and described below as the C++ (pcap_session.cc) implements it.
 */
import { createRequire } from 'node:module'
import { PdnsError } from '../../errors.ts'

/** Counters of pcap_stats(); unsigned 32-bit in libpcap, so they wrap after 2^32. */
export interface RawPcapStats {
  ps_recv: number
  ps_drop: number
  ps_ifdrop: number
}

/** One entry of pcap_findalldevs() as the addon returns it. */
export interface RawDevice {
  name: string
  description?: string
  /** one entry per address; non-IP families leave a hole (null or undefined) */
  addresses: ({ addr?: string; netmask?: string } | null | undefined)[]
  /** 'PCAP_IF_LOOPBACK' or absent: the only flag the addon passes on */
  flags?: string
}

/**
 * A PcapSession of the addon. open_live/open_offline throw an Error carrying libpcap's message and
 * return the link type as a string ('LINKTYPE_ETHERNET', … or 'Unknown linktype N').
 */
export interface RawPcapSession {
  open_live(
    device: string,
    filter: string,
    bufferBytes: number,
    snaplen: number,
    dumpFile: string,
    onPacket: () => void,
    monitor: boolean,
    timeoutMs: number,
    onWarning: (msg: string) => void,
    promiscuous: boolean,
  ): string
  open_offline(
    path: string,
    filter: string,
    bufferBytes: number,
    snaplen: number,
    dumpFile: string,
    onPacket: () => void,
    monitor: boolean,
    timeoutMs: number,
    onWarning: (msg: string) => void,
    promiscuous: boolean,
  ): string
  /**
   * Runs pcap_dispatch until it returns <= 0 and returns that value: 0 (nothing left), -1 (an
   * error), -2 (pcap_breakloop was called: the addon has then closed the handle). Every packet is
   * copied into `buf` (cut to its length) and its header into `hdr` (host order: tv_sec and tv_usec
   * low 32 bits, caplen, len), then onPacket runs synchronously, before the next packet overwrites both.
   */
  dispatch(buf: Buffer, hdr: Buffer): number
  /** Watches the handle's descriptor on the libuv loop and calls `read_callback` when it is readable. */
  start_polling(): void
  read_callback?: () => void
  /** pcap_breakloop only: the handle closes at the next dispatch that reads a packet (see session.ts). */
  close(): void
  /** throws once the handle is closed */
  stats(): RawPcapStats
}

export interface PcapBinding {
  PcapSession: new () => RawPcapSession
  findalldevs(): RawDevice[]
  lib_version(): string
}

/** Where the addon lives inside the package (node-gyp's output, built by scripts/tools/build-native.js). */
export const PCAP_ADDON = 'pcap/build/Release/pcap_binding.node'

let cached: PcapBinding | null = null

/**
 * Loads the addon once. A failure (package absent, addon not built, built for another Node, libpcap
 * missing) is ERR_CAPTURE_UNAVAILABLE saying how to fix it. `specifier` is for tests only.
 */
export function loadPcapBinding(specifier: string = PCAP_ADDON): PcapBinding {
  if (specifier === PCAP_ADDON && cached !== null) return cached
  let mod: PcapBinding
  try {
    mod = createRequire(import.meta.url)(specifier) as PcapBinding
  } catch (err) {
    throw new PdnsError(
      'ERR_CAPTURE_UNAVAILABLE',
      `live capture needs the pcap addon, which did not load (${(err as Error).message.split('\n')[0]}): ` +
        'install libpcap-dev (apt-get install libpcap-dev) and rerun npm install',
      { cause: err },
    )
  }
  if (specifier === PCAP_ADDON) cached = mod
  return mod
}
