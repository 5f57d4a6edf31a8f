/**
 * Addresses as the analyses need them: text ↔ bytes, the network prefixes flux features count, and
 * the reverse-DNS names (in-addr.arpa, ip6.arpa) under which PTR records of an address or a range live.
 */
import { ipv4, ipv6 } from '../dns/rdata/address.ts'
import { parseIP } from '../store/ip.ts'

export function formatAddress(a: Uint8Array): string {
  return a.length === 4 ? ipv4(a, 0) : ipv6(a, 0)
}

/** The stored address text in canonical form (IPv6 compressed), or null when it is not an address. */
export function canonicalAddress(text: string): string | null {
  const a = parseIP(text)
  return a === null ? null : formatAddress(a)
}

/**
 * The network an address falls in, as `a.b.c.0/24` text: the prefix is kept to `bits` (IPv4) or
 * `bits6` (IPv6), so one call names the "small" (/24, /48) or "large" (/16, /32) network.
 */
export function networkOf(a: Uint8Array, bits4: number, bits6: number): string {
  const bits = a.length === 4 ? bits4 : bits6
  const n = Uint8Array.from(a)
  for (let i = 0; i < n.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8))
    n[i] = n[i]! & (keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff)
  }
  return `${formatAddress(n)}/${bits}`
}

const HEX = '0123456789abcdef'

/** The reverse name of an address: `1.2.0.192.in-addr.arpa`, or the 32 nibbles under ip6.arpa. */
export function reverseName(a: Uint8Array): string {
  if (a.length === 4) return `${a[3]}.${a[2]}.${a[1]}.${a[0]}.in-addr.arpa`
  const nibbles: string[] = []
  for (let i = a.length - 1; i >= 0; i--) nibbles.push(HEX[a[i]! & 15]!, HEX[a[i]! >> 4]!)
  return `${nibbles.join('.')}.ip6.arpa`
}

/** The address a full reverse name stands for, or null (a partial name, a classless-delegation label). */
export function addressOfReverse(name: string): Uint8Array | null {
  const labels = name.split('.')
  if (name.endsWith('.in-addr.arpa') && labels.length === 6) {
    const out = new Uint8Array(4)
    for (let i = 0; i < 4; i++) {
      const l = labels[3 - i]!
      if (!/^(0|[1-9][0-9]{0,2})$/.test(l) || Number(l) > 255) return null
      out[i] = Number(l)
    }
    return out
  }
  if (name.endsWith('.ip6.arpa') && labels.length === 34) {
    const out = new Uint8Array(16)
    for (let i = 0; i < 32; i++) {
      const l = labels[31 - i]!
      const v = l.length === 1 ? HEX.indexOf(l) : -1
      if (v < 0) return null
      out[i >> 1] = i % 2 === 0 ? v << 4 : out[i >> 1]! | v
    }
    return out
  }
  return null
}

/**
 * The reverse zone that holds the PTR names of every address from lo to hi: the longest common
 * prefix of the two, cut to whole octets (IPv4) or nibbles (IPv6), since those are the labels of
 * reverse names. `exact` when lo = hi (one name, not a zone).
 */
export function reverseZoneOf(lo: Uint8Array, hi: Uint8Array): { name: string; exact: boolean } {
  if (Buffer.compare(lo, hi) === 0) return { name: reverseName(lo), exact: true }
  const step = lo.length === 4 ? 8 : 4
  let bits = 0
  while (bits + step <= lo.length * 8 && unitOf(lo, bits, step) === unitOf(hi, bits, step)) bits += step
  const parts: string[] = []
  for (let b = 0; b < bits; b += step) {
    parts.unshift(step === 8 ? String(lo[b / 8]) : HEX[unitOf(lo, b, 4)]!)
  }
  const root = lo.length === 4 ? 'in-addr.arpa' : 'ip6.arpa'
  return { name: parts.length === 0 ? root : `${parts.join('.')}.${root}`, exact: false }
}

function unitOf(a: Uint8Array, bit: number, step: number): number {
  if (step === 8) return a[bit / 8]!
  const byte = a[bit >> 3]!
  return bit % 8 === 0 ? byte >> 4 : byte & 15
}

/** lo ≤ a ≤ hi, same family. */
export function inRange(a: Uint8Array, lo: Uint8Array, hi: Uint8Array): boolean {
  return a.length === lo.length && Buffer.compare(a, lo) >= 0 && Buffer.compare(a, hi) <= 0
}
