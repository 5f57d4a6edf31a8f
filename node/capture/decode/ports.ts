/** The ports whose UDP and TCP traffic is treated as DNS unless the operator says otherwise. */

/** Unicast DNS only; mDNS (5353) and LLMNR (5355) are opt-in through DecodeOptions.ports. */
export const DEFAULT_DNS_PORTS: ReadonlySet<number> = new Set([53])

/** mDNS (RFC 6762): its CLASS top bit is the cache-flush flag, not part of the class. */
export const MDNS_PORT = 5353
/** LLMNR (RFC 4795) */
export const LLMNR_PORT = 5355

/** Encapsulations recognised on UDP when neither port is a DNS port. */
export const VXLAN_PORT = 4789
export const GTP_U_PORT = 2152
export const TEREDO_PORT = 3544
/** GRE-in-UDP (RFC 8086) */
export const GRE_UDP_PORT = 4754
/** Geneve (RFC 8926) */
export const GENEVE_PORT = 6081
