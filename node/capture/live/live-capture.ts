/**
 * Live capture on one or more interfaces into one FrameSink (the sensor's onFrame, the entry point
 * capture files use too): nothing is decoded here.
 *
 * start() checks everything that can be checked before a handle opens (options, that libpcap lists
 * each interface, that the filter compiles for the link type each interface will have), then opens
 * the interfaces in order; if one fails, those already open are closed before the error is thrown.
 */

import { setTimeout as sleep } from 'node:timers/promises'
import { PdnsError } from '../../errors.ts'
import { LIVE_DRAIN_MARGIN_MS, LIVE_READ_TIMEOUT_MS } from '../limits.ts'
import type { FrameSink } from '../types.ts'
import { loadPcapBinding, type PcapBinding } from './binding.ts'
import { buildDnsFilter } from './filter.ts'
import { defaultInterface, listInterfaces } from './interfaces.ts'
import { ANY_DEVICE, predictLinkType } from './link-type.ts'
import { filterError } from './offline.ts'
import { unknownInterfaceError } from './open-errors.ts'
import { type LiveCaptureOptions, resolveLiveOptions } from './options.ts'
import { type CaptureLog, type LiveInterfaceStats, LiveSession } from './session.ts'

export interface LiveCaptureComponents {
  /** receives every captured frame; called synchronously with a buffer reused for the next frame */
  onFrame: FrameSink
  log: CaptureLog
}

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new PdnsError('ERR_ABORTED', 'live capture start cancelled', { cause: signal.reason })
  }
}

interface Plan {
  device: string
  filter: string
  /** the link type the filter was built for (null: unknown, no VLAN levels) */
  linkType: number | null
}

export class LiveCapture {
  readonly #components: LiveCaptureComponents
  readonly #options: LiveCaptureOptions
  #sessions: LiveSession[] = []
  #running = false

  constructor(components: LiveCaptureComponents, options: LiveCaptureOptions = {}) {
    this.#components = components
    this.#options = options
  }

  /** The interfaces being (or last) captured on; empty before start(). */
  get interfaces(): readonly string[] {
    return this.#sessions.map((s) => s.device)
  }

  /**
   * Opens every interface and starts delivering frames. Errors: ERR_CONFIG (an option),
   * ERR_CAPTURE_UNAVAILABLE (no pcap addon), ERR_CAPTURE_PERMISSION (not root, no CAP_NET_RAW),
   * ERR_CAPTURE_INTERFACE (unknown or unusable interface, a filter libpcap rejects), ERR_ABORTED
   * (`signal`, which cancels the start only). Calling it while running does nothing.
   */
  async start(opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#running) return
    checkSignal(opts.signal)
    const o = resolveLiveOptions(this.#options)
    const binding = loadPcapBinding()
    const devices = listInterfaces(binding)
    const available = devices.map((d) => d.name)
    const plans = this.#plan(
      binding,
      o.interfaces.length > 0 ? o.interfaces : [defaultInterface(devices)],
      available,
      (linkType) =>
        buildDnsFilter(
          { ports: o.ports, extra: o.filter, mode: o.filterMode, fragments: o.fragments },
          linkType,
        ),
    )
    const opened: LiveSession[] = []
    try {
      for (const p of plans) {
        checkSignal(opts.signal)
        opened.push(
          LiveSession.open(
            binding,
            {
              device: p.device,
              filter: p.filter,
              snaplen: o.snaplen,
              bufferBytes: o.bufferBytes,
              promiscuous: o.promiscuous,
              timeoutMs: LIVE_READ_TIMEOUT_MS,
              available,
            },
            this.#components.onFrame,
            this.#components.log,
          ),
        )
      }
    } catch (err) {
      for (const s of opened) s.close()
      throw err
    }
    this.#sessions = opened
    this.#running = true
    for (const [i, s] of opened.entries()) {
      const predicted = plans[i]!.linkType
      if (predicted !== null && predicted !== s.linkType) {
        this.#components.log.warn(
          { interface: s.device, linkType: s.linkType, predicted },
          'libpcap opened the interface with another link type than predicted from sysfs; the filter ' +
            'was built for the predicted one (VLAN-tagged DNS is kept on Ethernet only)',
        )
      }
    }
    const names = opened.map((s) => s.device)
    if (names.includes(ANY_DEVICE) && names.length > 1) {
      this.#components.log.warn(
        { interfaces: names },
        'capturing on "any" and on named interfaces: frames of those interfaces arrive twice',
      )
    }
  }

  /** Which devices to open and with which filter; every check that needs no open handle. */
  #plan(
    binding: PcapBinding,
    devices: readonly string[],
    available: readonly string[],
    filterFor: (linkType: number | null) => string,
  ): Plan[] {
    for (const d of devices) if (!available.includes(d)) throw unknownInterfaceError(d, available)
    return devices.map((device) => {
      const linkType = predictLinkType(device)
      const filter = filterFor(linkType)
      // A filter libpcap rejects would fail after the handle is activated, and the addon cannot
      // close such a handle cleanly (session.ts): compile it offline first, for the link type the
      // interface will have. Devices without a prediction (not in sysfs) are opened unchecked.
      if (linkType !== null && filter !== '') {
        const bad = filterError(binding, filter, linkType)
        if (bad !== null) {
          throw new PdnsError(
            'ERR_CAPTURE_INTERFACE',
            `the capture filter does not compile for ${device}: ${bad} (filter: ${filter})`,
          )
        }
      }
      return { device, filter, linkType }
    })
  }

  /**
   * Delivers what the kernel captured until now, before a stop: frames wait in the ring's current
   * block until it fills or LIVE_READ_TIMEOUT_MS passes, so a stop right away would lose up to that
   * much traffic. Keeps delivering for the timeout (and LIVE_DRAIN_MARGIN_MS), then reads every
   * ring once more. Frames that arrive meanwhile are delivered too. Call stop() after it.
   */
  async drain(opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (!this.#running) return
    await sleep(LIVE_READ_TIMEOUT_MS + LIVE_DRAIN_MARGIN_MS, undefined, { signal: opts.signal }).catch(
      () => {},
    )
    for (const s of this.#sessions) s.readNow()
  }

  /**
   * Stops delivery on every interface (nothing reaches onFrame after this returns) and asks libpcap
   * to close each handle; see session.ts for when a handle is actually released. Idempotent.
   */
  stop(): void {
    this.#running = false
    for (const s of this.#sessions) s.close()
  }

  /** Per interface: frames and bytes delivered, libpcap's kernel counters, state. */
  stats(): LiveInterfaceStats[] {
    return this.#sessions.map((s) => s.stats())
  }
}
