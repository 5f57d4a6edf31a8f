/**
 * Link-layer types of live handles: the addon names them as strings, the decoder wants the numbers
 * of capture files (tcpdump.org/linktypes); and before opening we predict an interface's type from
 * sysfs, because the BPF filter depends on it (`vlan` only compiles for Ethernet).
 */
import { readFileSync } from 'node:fs'
import * as L from '../decode/link-types.ts'

/**
 * The link types decodeLink (node/capture/decode/link-layer.ts) reads; any other reaches the
 * decoder as 'link.unsupported:N' for every frame, so a live capture refuses it up front.
 * test/capture/live-filter.test.ts checks each against a real PacketDecoder.
 */
export const DECODABLE_LINK_TYPES: ReadonlySet<number> = new Set([
  L.LINKTYPE_NULL,
  L.LINKTYPE_ETHERNET,
  L.LINKTYPE_FDDI,
  L.LINKTYPE_RAW_12,
  L.LINKTYPE_RAW_14,
  L.LINKTYPE_RAW,
  L.LINKTYPE_IEEE802_11,
  L.LINKTYPE_LOOP,
  L.LINKTYPE_IEEE802_11_RADIOTAP,
  L.LINKTYPE_LINUX_SLL,
  L.LINKTYPE_IPV4,
  L.LINKTYPE_IPV6,
  L.LINKTYPE_LINUX_SLL2,
])

/** The addon's names (pcap_session.cc) for the DLTs it knows; DLT_RAW is 12 on Linux, file type 101. */
const NAMED: Readonly<Record<string, number>> = {
  LINKTYPE_NULL: L.LINKTYPE_NULL,
  LINKTYPE_ETHERNET: L.LINKTYPE_ETHERNET,
  LINKTYPE_IEEE802_11_RADIO: L.LINKTYPE_IEEE802_11_RADIOTAP,
  LINKTYPE_RAW: L.LINKTYPE_RAW,
  LINKTYPE_LINUX_SLL: L.LINKTYPE_LINUX_SLL,
}

/**
 * The link type number of the addon's answer, or null if it names none. Other DLTs come as
 * 'Unknown linktype N' with pcap_datalink's DLT value, equal to the file link type for every type
 * the decoder reads (DLT_LINUX_SLL2 is 276 in both).
 */
export function linkTypeNumber(name: string): number | null {
  const known = NAMED[name]
  if (known !== undefined) return known
  const m = /^Unknown linktype (\d+)$/.exec(name)
  return m === null ? null : Number(m[1])
}

/** ARPHRD values (linux/if_arp.h) for which libpcap 1.10 opens DLT_EN10MB or DLT_RAW. */
const ARPHRD_ETHER = 1
const ARPHRD_LOOPBACK = 772
const ARPHRD_RAW_IP = new Set([
  65534, // NONE: tun, wireguard
  768, // TUNNEL (ipip)
  769, // TUNNEL6
  776, // SIT
  778, // IPGRE
  823, // IP6GRE
])

/** The Linux `any` pseudo-device: cooked capture (SLL) on every interface. */
export const ANY_DEVICE = 'any'

/**
 * The link type libpcap will give `device` on Linux, from /sys/class/net/<device>/type as its
 * map_arphrd_to_dlt does: Ethernet and loopback → Ethernet; IP tunnels → raw IP; `any` and the rest
 * → Linux cooked capture (SLL), libpcap's fallback. null when the device has no sysfs entry (a
 * libpcap pseudo-device such as nflog or dbus-system, or no such interface).
 */
export function predictLinkType(device: string, sysfs = '/sys/class/net'): number | null {
  if (device === ANY_DEVICE) return L.LINKTYPE_LINUX_SLL
  if (device.includes('/') || device.startsWith('.')) return null
  let type: number
  try {
    type = Number(readFileSync(`${sysfs}/${device}/type`, 'utf8').trim())
  } catch {
    return null
  }
  if (type === ARPHRD_ETHER || type === ARPHRD_LOOPBACK) return L.LINKTYPE_ETHERNET
  if (ARPHRD_RAW_IP.has(type)) return L.LINKTYPE_RAW
  return L.LINKTYPE_LINUX_SLL
}
