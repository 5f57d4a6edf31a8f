/**
 * Live capture on one interface: a libpcap handle whose frames go, one by one and in the addon's
 * single reused buffer, to the FrameSink (the same entry point capture files use).
 *
 * How the addon delivers (pcap_session.cc): it polls the handle's descriptor on the libuv loop; when
 * readable, dispatch() runs pcap_dispatch until the ring is empty, copying each packet into our one
 * buffer and calling onPacket synchronously before the next overwrites it. We pass that memory to
 * the sink without copying: the FrameSink contract already says a sink copies what it keeps beyond
 * the call (the decoder does, for TCP segments and IP fragments). We pass it as a plain Uint8Array,
 * not as the Node Buffer the addon needs: the decoder copies with slice(), which on a Buffer would
 * only make a view (frameView).
 *
 * Closing is the addon's weak spot: close() only calls pcap_breakloop, and in the non-blocking mode
 * the addon uses, libpcap looks at that flag only after reading a packet. The handle (its socket,
 * its kernel ring, its libuv poll, which keeps the event loop alive) is therefore released at the
 * first packet that passes the filter after close(), when dispatch returns -2 and the addon calls
 * pcap_close. Until then no frame is delivered (libpcap 1.10 stops reading at the flag, and we gate
 * on our own besides); stats say 'stopped' and then 'released'. A process that wants to exit while
 * a handle waits for that packet must call process.exit() rather than wait for the loop to drain.
 */

import { PdnsError } from '../../errors.ts'
import type { Logger } from '../../log/index.ts'
import type { FrameSink } from '../types.ts'
import type { PcapBinding, RawPcapSession } from './binding.ts'
import { DECODABLE_LINK_TYPES, linkTypeNumber } from './link-type.ts'
import { openError } from './open-errors.ts'
import { frameView, PcapHeader } from './pcap-header.ts'

/** What the capture writes to the node's log: rare events only, never per packet. */
export type CaptureLog = Pick<Logger, 'info' | 'warn' | 'error'>

export interface LiveSessionOptions {
  device: string
  /** BPF expression; '' captures everything */
  filter: string
  snaplen: number
  bufferBytes: number
  promiscuous: boolean
  timeoutMs: number
  /** the interfaces libpcap lists, for error messages */
  available: readonly string[]
}

/** libpcap's pcap_stats() for one handle, cumulative since it opened. */
export interface KernelCounters {
  /** ps_recv: packets the kernel passed through the filter (on Linux, including those then dropped) */
  received: number
  /** ps_drop: packets dropped because the capture ring was full: the sensor fell behind */
  dropped: number
  /** ps_ifdrop: packets the interface or its driver dropped before capture (0 where not reported) */
  interfaceDropped: number
}

export type SessionState = 'capturing' | 'stopped' | 'released'

export interface LiveInterfaceStats {
  interface: string
  /** link-layer type of the frames (tcpdump.org/linktypes) */
  linkType: number
  filter: string
  /** frames handed to the sink */
  frames: number
  /** captured bytes handed to the sink */
  bytes: number
  /** frames the snaplen cut short */
  truncated: number
  /** frames the sink threw on (a bug; the frame is lost, capture goes on) */
  sinkErrors: number
  /** reads that failed in libpcap (pcap_dispatch returned -1: the interface went down or away) */
  readErrors: number
  /** null when libpcap gave none; frozen at stop() */
  kernel: KernelCounters | null
  /** 'stopped': nothing more is delivered; 'released': libpcap has also closed the handle */
  state: SessionState
}

/** Logs the 1st, 2nd, 4th, 8th… occurrence: a repeating failure stays visible without flooding. */
const worthLogging = (n: number): boolean => (n & (n - 1)) === 0

/**
 * Releases what a failed open_live left behind, as far as the addon allows. It throws from wherever
 * libpcap failed: before pcap_create (argument checks: nothing exists), after a failed
 * pcap_activate (libpcap closed the socket; only the small pcap_t leaks, the addon offers no way to
 * free it), or after activation, when the filter did not compile or attach (start() compiles the
 * filter offline first, so only a wrong link-type prediction gets here). Then the socket is open:
 * we break the loop and read once, which releases it if a packet is waiting. Otherwise it stays
 * open, unfiltered, until the process exits: polling it until a packet arrives would keep the
 * event loop, and so a process whose start just failed, alive for as long as the link is quiet.
 */
function releaseFailedOpen(raw: RawPcapSession, message: string, buf: Buffer, hdr: Buffer): void {
  if (message.startsWith('pcap Open:')) return
  try {
    // throws when the addon holds no handle (pcap_create failed); dispatch would dereference NULL
    raw.stats()
  } catch {
    return
  }
  raw.close()
  // -2: released; 0: nothing waiting (the handle stays open, see above); -3: never activated
  raw.dispatch(buf, hdr)
}

export class LiveSession {
  readonly #raw: RawPcapSession
  readonly #sink: FrameSink
  readonly #log: CaptureLog
  readonly #device: string
  readonly #filter: string
  /** what the addon writes each packet into */
  readonly #buf: Buffer
  /** the same memory as the sink sees it (see frameView) */
  readonly #frame: Uint8Array
  readonly #hdr = new PcapHeader()
  #linkType = -1
  #frames = 0
  #bytes = 0
  #truncated = 0
  #sinkErrors = 0
  #readErrors = 0
  /** open_live succeeded: a handle exists that dispatch may read */
  #opened = false
  #stopped = false
  #released = false
  #inDispatch = false
  #kernelAtStop: KernelCounters | null = null

  private constructor(raw: RawPcapSession, o: LiveSessionOptions, sink: FrameSink, log: CaptureLog) {
    this.#raw = raw
    this.#sink = sink
    this.#log = log
    this.#device = o.device
    this.#filter = o.filter
    this.#buf = Buffer.alloc(o.snaplen)
    this.#frame = frameView(this.#buf)
  }

  /**
   * Opens `o.device` and starts delivering to `sink`. Failures are ERR_CAPTURE_PERMISSION,
   * ERR_CAPTURE_INTERFACE (no such interface, down, a filter libpcap rejects, a link type the
   * decoder does not read), each with libpcap's words.
   */
  static open(binding: PcapBinding, o: LiveSessionOptions, sink: FrameSink, log: CaptureLog): LiveSession {
    const s = new LiveSession(new binding.PcapSession(), o, sink, log)
    s.#activate(o)
    return s
  }

  #activate(o: LiveSessionOptions): void {
    const raw = this.#raw
    let name: string
    try {
      name = raw.open_live(
        o.device,
        o.filter,
        o.bufferBytes,
        o.snaplen,
        '',
        this.#onPacket,
        false,
        o.timeoutMs,
        // only pcap_lookupnet's failure comes here (an interface without IPv4): it matters for
        // `ip broadcast` filters alone, not for ours
        () => {},
        o.promiscuous,
      )
    } catch (err) {
      const message = (err as Error).message
      releaseFailedOpen(raw, message, this.#buf, this.#hdr.buf)
      throw openError(o.device, message, o.available)
    }
    const linkType = linkTypeNumber(name)
    if (linkType === null || !DECODABLE_LINK_TYPES.has(linkType)) {
      // not polled yet: closed like a failed open, without keeping the event loop alive
      this.#stopped = true
      releaseFailedOpen(raw, '', this.#buf, this.#hdr.buf)
      throw new PdnsError(
        'ERR_CAPTURE_INTERFACE',
        `cannot capture on ${o.device}: its link type (${name}) is not one the decoder reads`,
      )
    }
    this.#opened = true
    raw.read_callback = this.#onReadable
    raw.start_polling()
    this.#linkType = linkType
    // a block the kernel retired before the poll started is reported by the (level-triggered)
    // poll anyway; this first read is cheap insurance, as in the package's own wrapper
    setImmediate(this.#onReadable)
  }

  get device(): string {
    return this.#device
  }

  get linkType(): number {
    return this.#linkType
  }

  /** Per-packet path: gate, count, hand the reused buffer to the sink. */
  readonly #onPacket = (): void => {
    if (this.#stopped) return
    const hdr = this.#hdr
    const origLen = hdr.origLen
    // the addon cuts a packet to our buffer; its header still says what libpcap captured
    const capLen = Math.min(hdr.capLen, this.#buf.length)
    this.#frames++
    this.#bytes += capLen
    if (capLen < origLen) this.#truncated++
    try {
      this.#sink(this.#linkType, this.#frame, 0, capLen, origLen, hdr.tsUs)
    } catch (err) {
      // an exception escaping into the addon's callback is a fatal one: the whole node would die
      // for one frame
      this.#sinkErrors++
      if (worthLogging(this.#sinkErrors)) {
        this.#log.error(
          { err, interface: this.#device, sinkErrors: this.#sinkErrors },
          'a captured frame made the sensor throw; frame dropped',
        )
      }
    }
  }

  readonly #onReadable = (): void => {
    if (this.#released) return // the addon has closed the handle: dispatch would touch freed state
    this.#inDispatch = true
    let rc: number
    try {
      rc = this.#raw.dispatch(this.#buf, this.#hdr.buf)
    } finally {
      this.#inDispatch = false
    }
    if (rc === -2) {
      this.#released = true
    } else if (rc === -1 && !this.#stopped) {
      this.#readErrors++
      if (worthLogging(this.#readErrors)) {
        this.#log.error(
          { interface: this.#device, readErrors: this.#readErrors },
          'libpcap failed to read from the interface (down or removed?)',
        )
      }
    }
  }

  #kernel(): KernelCounters | null {
    if (this.#stopped) return this.#kernelAtStop
    try {
      const s = this.#raw.stats()
      return { received: s.ps_recv, dropped: s.ps_drop, interfaceDropped: s.ps_ifdrop }
    } catch {
      return null
    }
  }

  stats(): LiveInterfaceStats {
    return {
      interface: this.#device,
      linkType: this.#linkType,
      filter: this.#filter,
      frames: this.#frames,
      bytes: this.#bytes,
      truncated: this.#truncated,
      sinkErrors: this.#sinkErrors,
      readErrors: this.#readErrors,
      kernel: this.#kernel(),
      state: this.#released ? 'released' : this.#stopped ? 'stopped' : 'capturing',
    }
  }

  /** Reads what the ring holds now, without waiting for the poll (drain() before a stop). */
  readNow(): void {
    if (this.#opened && !this.#stopped && !this.#inDispatch) this.#onReadable()
  }

  /**
   * Stops delivery at once and asks libpcap to close (see the file comment: the handle is released
   * at the next packet that passes the filter). Idempotent; safe from inside the sink.
   */
  close(): void {
    if (this.#stopped) return
    this.#kernelAtStop = this.#kernel()
    this.#stopped = true
    this.#raw.close()
    // A retired block may already wait in the ring: reading it now releases the handle at once.
    // Not from inside dispatch (the sink called stop()): libpcap is not reentrant, and the running
    // dispatch returns -2 by itself after the current block.
    if (this.#opened && !this.#inDispatch) this.#onReadable()
  }
}
