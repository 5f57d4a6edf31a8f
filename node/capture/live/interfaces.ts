/**
 * The interfaces a live capture can open, and the one it opens when the operator names none: the
 * interface of the default route (where a host's resolver traffic goes), else the first interface
 * that is up and not loopback.
 */
import { readFileSync } from 'node:fs'
import { PdnsError } from '../../errors.ts'
import { loadPcapBinding, type PcapBinding } from './binding.ts'

export interface NetInterface {
  name: string
  description: string | null
  /** IPv4 and IPv6 addresses */
  addresses: string[]
  loopback: boolean
  /** a kernel network interface with IFF_UP set; false for libpcap pseudo-devices (any, nflog, …) */
  up: boolean
}

const IFF_UP = 0x1

function isUp(name: string): boolean {
  if (name.includes('/') || name.startsWith('.')) return false
  try {
    return (Number.parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16) & IFF_UP) !== 0
  } catch {
    return false
  }
}

/** What libpcap can capture on (pcap_findalldevs), in its order. */
export function listInterfaces(binding: PcapBinding = loadPcapBinding()): NetInterface[] {
  let devs: ReturnType<PcapBinding['findalldevs']>
  try {
    devs = binding.findalldevs()
  } catch (err) {
    throw new PdnsError(
      'ERR_CAPTURE_INTERFACE',
      `libpcap cannot list interfaces: ${(err as Error).message}`,
      {
        cause: err,
      },
    )
  }
  return devs.map((d) => ({
    name: d.name,
    description: d.description ?? null,
    addresses: d.addresses.flatMap((a) => (a?.addr === undefined ? [] : [a.addr])),
    loopback: d.flags === 'PCAP_IF_LOOPBACK',
    up: isUp(d.name),
  }))
}

/**
 * The interface of the IPv4 default route in /proc/net/route text (destination and mask 0, route
 * up), the lowest metric winning; null without one.
 */
export function defaultRouteInterface(routeText: string): string | null {
  let best: { name: string; metric: number } | null = null
  for (const line of routeText.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f.length < 8) continue
    const [name, dest, , flags, , , metric, mask] = f as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ]
    if (Number.parseInt(dest, 16) !== 0 || Number.parseInt(mask, 16) !== 0) continue
    if ((Number.parseInt(flags, 16) & 0x1) === 0) continue
    const m = Number(metric)
    if (best === null || m < best.metric) best = { name, metric: m }
  }
  return best?.name ?? null
}

/**
 * The default capture interface: the default route's when libpcap lists it, else the first up,
 * non-loopback interface; null when there is neither.
 */
export function pickDefaultInterface(
  routeText: string | null,
  devices: readonly NetInterface[],
): string | null {
  const viaRoute = routeText === null ? null : defaultRouteInterface(routeText)
  if (viaRoute !== null && devices.some((d) => d.name === viaRoute)) return viaRoute
  return devices.find((d) => d.up && !d.loopback)?.name ?? null
}

/**
 * pickDefaultInterface over this host's routes and `devices` (default: what libpcap lists); none is
 * ERR_CAPTURE_INTERFACE.
 */
export function defaultInterface(devices: readonly NetInterface[] = listInterfaces()): string {
  let routes: string | null
  try {
    routes = readFileSync('/proc/net/route', 'utf8')
  } catch {
    routes = null
  }
  const name = pickDefaultInterface(routes, devices)
  if (name === null) {
    throw new PdnsError(
      'ERR_CAPTURE_INTERFACE',
      `no interface to capture on: no default route and no interface up besides loopback (libpcap lists: ${
        devices.map((d) => d.name).join(', ') || 'none'
      }); name one with --interface`,
    )
  }
  return name
}
