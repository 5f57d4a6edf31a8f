/** Live capture with libpcap (the optional pcap addon), into the same FrameSink as capture files. */
export { loadPcapBinding, type PcapBinding } from './binding.ts'
export { buildDnsFilter, type DnsFilterOptions, type FilterMode, portTerms } from './filter.ts'
export {
  defaultInterface,
  defaultRouteInterface,
  listInterfaces,
  type NetInterface,
  pickDefaultInterface,
} from './interfaces.ts'
export { DECODABLE_LINK_TYPES, linkTypeNumber, predictLinkType } from './link-type.ts'
export { LiveCapture, type LiveCaptureComponents } from './live-capture.ts'
export { type FilteredRead, filterError, readFiltered } from './offline.ts'
export type { LiveCaptureOptions } from './options.ts'
export type { CaptureLog, KernelCounters, LiveInterfaceStats, SessionState } from './session.ts'
