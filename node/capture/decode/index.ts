/** Frame decoding: link layers, tunnels, IP (with fragment reassembly), UDP and TCP (with stream reassembly). */
export { PacketDecoder } from './packet-decoder.ts'
export { DEFAULT_DNS_PORTS } from './ports.ts'
