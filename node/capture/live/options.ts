/** Options of a live capture, their defaults and their bounds (node/capture/limits.ts). */
import { PdnsError } from '../../errors.ts'
import { DEFAULT_DNS_PORTS } from '../decode/ports.ts'
import {
  LIVE_DEFAULT_BUFFER_BYTES,
  LIVE_DEFAULT_SNAPLEN,
  LIVE_MAX_BUFFER_BYTES,
  LIVE_MAX_INTERFACES,
  LIVE_MAX_SNAPLEN,
  LIVE_MIN_BUFFER_BYTES,
  LIVE_MIN_SNAPLEN,
} from '../limits.ts'
import { checkFilterOptions, type FilterMode } from './filter.ts'

export interface LiveCaptureOptions {
  /** interface names; none (or empty): the default interface (see interfaces.ts) */
  interfaces?: readonly string[] | undefined
  /** UDP/TCP ports whose traffic the BPF filter keeps; default DEFAULT_DNS_PORTS */
  ports?: ReadonlySet<number> | undefined
  /** bytes kept per frame; default LIVE_DEFAULT_SNAPLEN */
  snaplen?: number | undefined
  /** kernel capture ring per interface, bytes; default LIVE_DEFAULT_BUFFER_BYTES */
  bufferBytes?: number | undefined
  /** put the interfaces in promiscuous mode (frames for other hosts, e.g. on a SPAN port); default off */
  promiscuous?: boolean | undefined
  /** the operator's BPF expression, combined per filterMode (see filter.ts); null: none */
  filter?: string | null | undefined
  /** 'and' (default): narrows the DNS filter; 'replace': is the whole filter */
  filterMode?: FilterMode | undefined
  /** keep IP fragments so the decoder can reassemble large responses; default true (see filter.ts) */
  fragments?: boolean | undefined
}

export interface ResolvedLiveOptions {
  /** empty: use the default interface */
  interfaces: readonly string[]
  ports: ReadonlySet<number>
  snaplen: number
  bufferBytes: number
  promiscuous: boolean
  filter: string | undefined
  filterMode: FilterMode
  fragments: boolean
}

function intIn(what: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new PdnsError('ERR_CONFIG', `capture ${what} must be an integer from ${min} to ${max}, not ${v}`)
  }
  return v
}

/** Defaults filled in, every value checked; a bad one is ERR_CONFIG naming it. */
export function resolveLiveOptions(o: LiveCaptureOptions): ResolvedLiveOptions {
  const interfaces = [...(o.interfaces ?? [])]
  if (interfaces.length > LIVE_MAX_INTERFACES) {
    throw new PdnsError(
      'ERR_CONFIG',
      `at most ${LIVE_MAX_INTERFACES} capture interfaces, not ${interfaces.length}`,
    )
  }
  const seen = new Set<string>()
  for (const name of interfaces) {
    // the name must also be one libpcap lists (checked at start), which bounds its length
    if (typeof name !== 'string' || name === '' || /[\s/\0]/.test(name)) {
      throw new PdnsError('ERR_CONFIG', `capture interface ${JSON.stringify(name)} is not an interface name`)
    }
    if (seen.has(name)) throw new PdnsError('ERR_CONFIG', `capture interface ${name} is named twice`)
    seen.add(name)
  }
  const r: ResolvedLiveOptions = {
    interfaces,
    ports: o.ports ?? DEFAULT_DNS_PORTS,
    snaplen: intIn('snaplen', o.snaplen ?? LIVE_DEFAULT_SNAPLEN, LIVE_MIN_SNAPLEN, LIVE_MAX_SNAPLEN),
    bufferBytes: intIn(
      'buffer size (bytes)',
      o.bufferBytes ?? LIVE_DEFAULT_BUFFER_BYTES,
      LIVE_MIN_BUFFER_BYTES,
      LIVE_MAX_BUFFER_BYTES,
    ),
    promiscuous: o.promiscuous ?? false,
    filter: o.filter ?? undefined,
    filterMode: o.filterMode ?? 'and',
    fragments: o.fragments ?? true,
  }
  checkFilterOptions({ ports: r.ports, extra: r.filter, mode: r.filterMode, fragments: r.fragments })
  return r
}
