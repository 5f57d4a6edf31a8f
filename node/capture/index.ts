/** The capture layer's public surface: read capture files, decode frames down to DNS payloads. */
export { PacketDecoder } from './decode/index.ts'
export { DEFAULT_DNS_PORTS, LLMNR_PORT, MDNS_PORT } from './decode/ports.ts'
export {
  type CaptureFileInfo,
  type DetectedFormat,
  detectFormat,
  type ReadCaptureOptions,
  readCapture,
} from './formats/index.ts'
export * from './limits.ts'
export {
  Counters,
  type DecodeOptions,
  type DnsPayloadSink,
  type FrameSink,
  type PacketInfo,
} from './types.ts'
