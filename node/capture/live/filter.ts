/**
 * The BPF filter of a live capture: the kernel passes on DNS traffic only, so the sensor never
 * copies the rest of the link's traffic to user space.
 *
 * What it keeps, for the DNS ports set:
 * - TCP and UDP with either port in the set, over IPv4 or IPv6;
 * - IPv4 non-first fragments (fragment offset != 0) and every IPv6 packet whose first extension
 *   header is a Fragment header. These carry no ports (or, for IPv6, hide them behind the fragment
 *   header, where libpcap's `port` does not look), so the filter cannot tell DNS from other
 *   fragmented traffic; it keeps them all and lets the decoder reassemble. Without them a DNS
 *   response larger than the path MTU (DNSSEC, large TXT/ANY answers, EDNS buffers above 1232) would
 *   be lost, which are the answers a passive DNS most needs. The decoder bounds the memory held by
 *   incomplete datagrams (MAX_FRAGMENT_GROUPS, MAX_FRAGMENT_BYTES); an operator whose links carry
 *   heavy non-DNS fragmented traffic can turn this off (`fragments: false`);
 * - on Ethernet, the same inside one or two 802.1Q/802.1ad VLAN tags (`vlan`). In BPF `vlan` moves
 *   every later offset by the tag, for the rest of the expression, so each tag level repeats the
 *   whole body after its own `vlan`: `B or (vlan and (B or (vlan and B)))`. On Linux libpcap compiles
 *   `vlan` to test both a tag left in the frame and one the NIC stripped into packet metadata.
 *
 * What it does not keep: DNS inside tunnels (GRE, VXLAN, GTP-U, …), MPLS or PPPoE (the decoder reads
 * them, but the filter would have to pass every tunnel packet), and IPv6 UDP/TCP behind extension
 * headers other than Fragment. An operator who wants those replaces the filter (mode 'replace').
 */

import { PdnsError } from '../../errors.ts'
import { LINKTYPE_ETHERNET } from '../decode/link-types.ts'
import { LIVE_MAX_FILTER_BYTES, LIVE_MAX_PORT_TERMS } from '../limits.ts'

/**
 * How the operator's own expression combines with the DNS filter. 'and': it narrows the DNS filter
 * (e.g. `not host 192.0.2.7`), applied at every VLAN level so its offsets stay right. 'replace':
 * it is the whole filter, for traffic the DNS filter cannot express (tunnels, MPLS, PPPoE); the
 * decoder still keeps only DNS on the configured ports.
 */
export type FilterMode = 'and' | 'replace'

export interface DnsFilterOptions {
  ports: ReadonlySet<number>
  /** keep IP fragments (see above); default true */
  fragments?: boolean
  /** the operator's expression, combined per `mode` */
  extra?: string | undefined
  mode?: FilterMode
}

/** Ports as BPF terms: runs of consecutive ports become one `portrange`. */
export function portTerms(ports: ReadonlySet<number>): string[] {
  const sorted = [...ports].sort((a, b) => a - b)
  const terms: string[] = []
  for (let i = 0; i < sorted.length; ) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++
    terms.push(j === i ? `port ${sorted[i]}` : `portrange ${sorted[i]}-${sorted[j]}`)
    i = j + 1
  }
  return terms
}

/** Checks the operator's inputs to the filter; a bad one is ERR_CONFIG. */
export function checkFilterOptions(o: DnsFilterOptions): void {
  for (const p of o.ports) {
    if (!Number.isInteger(p) || p < 0 || p > 65535) {
      throw new PdnsError('ERR_CONFIG', `capture port ${p} is not a port number (0-65535)`)
    }
  }
  if (o.mode !== undefined && o.mode !== 'and' && o.mode !== 'replace') {
    throw new PdnsError('ERR_CONFIG', `capture filter mode must be 'and' or 'replace', not ${String(o.mode)}`)
  }
  const replacing = o.mode === 'replace'
  if (!replacing && o.ports.size === 0) {
    throw new PdnsError('ERR_CONFIG', 'no DNS ports to capture: the ports set is empty')
  }
  const terms = portTerms(o.ports).length
  if (!replacing && terms > LIVE_MAX_PORT_TERMS) {
    throw new PdnsError(
      'ERR_CONFIG',
      `the capture ports make ${terms} filter terms (single ports or runs of consecutive ports); ` +
        `at most ${LIVE_MAX_PORT_TERMS} fit the kernel's BPF program size`,
    )
  }
  if (o.extra !== undefined) {
    if (Buffer.byteLength(o.extra) > LIVE_MAX_FILTER_BYTES) {
      throw new PdnsError('ERR_CONFIG', `the capture filter is longer than ${LIVE_MAX_FILTER_BYTES} bytes`)
    }
    if (o.extra.includes('\0')) throw new PdnsError('ERR_CONFIG', 'the capture filter holds a NUL byte')
  }
}

/**
 * The filter text for an interface of link type `linkType` (null: unknown, no VLAN levels). Call
 * checkFilterOptions first. An empty string means "no filter" (mode 'replace' with an empty
 * expression).
 */
export function buildDnsFilter(o: DnsFilterOptions, linkType: number | null): string {
  const extra = o.extra?.trim() ?? ''
  if (o.mode === 'replace') return extra
  const parts = [`((tcp or udp) and (${portTerms(o.ports).join(' or ')}))`]
  if (o.fragments !== false) parts.push('((ip[6:2] & 0x1fff) != 0)', '(ip6[6] = 44)')
  // `and` and `or` have equal precedence in BPF (left to right): parenthesise every operand
  let body = `(${parts.join(' or ')})`
  if (extra !== '') body = `(${body} and (${extra}))`
  if (linkType !== LINKTYPE_ETHERNET) return body
  return `${body} or (vlan and (${body} or (vlan and ${body})))`
}
