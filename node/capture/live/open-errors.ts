/**
 * libpcap's open failures as the operator should read them. libpcap reports them as text only
 * (the addon drops pcap_activate's status code), so they are told apart by that text.
 */
import { PdnsError } from '../../errors.ts'

/** libpcap 1.10 on Linux says "socket: Operation not permitted"; other versions and platforms "permission denied", "You don't have permission …". */
const PERMISSION = /operation not permitted|permission/i
const NO_DEVICE = /no such device/i

export function isPermissionText(libpcapMessage: string): boolean {
  return PERMISSION.test(libpcapMessage)
}

export function permissionError(device: string, libpcapMessage: string): PdnsError {
  return new PdnsError(
    'ERR_CAPTURE_PERMISSION',
    `live capture on ${device} is not permitted (libpcap: ${libpcapMessage}): it needs root or the ` +
      'CAP_NET_RAW capability, plus CAP_NET_ADMIN for promiscuous mode or the any device. Fix: ' +
      `sudo setcap cap_net_raw,cap_net_admin=eip ${process.execPath}, or run as root, or start with --no-capture`,
  )
}

export function unknownInterfaceError(device: string, available: readonly string[]): PdnsError {
  return new PdnsError(
    'ERR_CAPTURE_INTERFACE',
    `no interface named ${device} (available: ${available.join(', ') || 'none'})`,
  )
}

/** Classifies the message pcap_create/pcap_activate/pcap_setfilter left for `device`. */
export function openError(device: string, libpcapMessage: string, available: readonly string[]): PdnsError {
  if (isPermissionText(libpcapMessage)) return permissionError(device, libpcapMessage)
  if (NO_DEVICE.test(libpcapMessage)) return unknownInterfaceError(device, available)
  return new PdnsError('ERR_CAPTURE_INTERFACE', `cannot capture on ${device}: ${libpcapMessage}`)
}
