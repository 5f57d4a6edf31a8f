/** Public surface of the DNS message parser. */
export type { DnsAnomaly } from './anomalies.ts'
export { DNS_ANOMALIES } from './anomalies.ts'
export { className, rcodeName, typeName } from './constants.ts'
export {
  MAX_LABEL,
  MAX_MESSAGE_LENGTH,
  MAX_NAME_WIRE_LENGTH,
  MAX_POINTER_HOPS,
  MAX_RRS_PER_MESSAGE,
} from './limits.ts'
export type { Observation, ObservationKind, ObservationSink, Section } from './observation.ts'
export type { DnsParserOptions } from './parser.ts'
export { DnsParser } from './parser.ts'
