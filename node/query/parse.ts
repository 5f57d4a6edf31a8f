/**
 * Query text → query values, with DNSDB's syntax: owner patterns (`*.example.com`, `+.example.com`,
 * `www.example.*`), rdata targets (an address, `10.0.0.0/8` or DNSDB's `10.0.0.0,8`, a range `a-b`, a
 * host name or `*.name`, raw hex) and record types. Every rejection is ERR_BAD_QUERY naming the value.
 */
import { typeNumber } from '../dns/constants.ts'
import { PdnsError } from '../errors.ts'
import { parseIP } from '../store/ip.ts'
import { isValidName } from '../store/keys.ts'
import { canonicalName, formatName } from '../store/names.ts'
import type { NamePattern, RdataTarget } from './types.ts'

function bad(message: string): PdnsError {
  return new PdnsError('ERR_BAD_QUERY', message)
}

/** The name in the parser's form (names.ts canonicalName); throws on an invalid name or a stray '*'. */
export function normalizeName(text: string, what = 'name'): string {
  const name = text.includes('*') ? null : canonicalName(text.trim())
  if (name === null) throw bad(`invalid ${what}: ${JSON.stringify(text)}`)
  return name
}

export function parseNamePattern(text: string): NamePattern {
  const t = text.trim()
  if (t === '*' || t === '*.' || t === '+')
    throw bad(`the pattern ${JSON.stringify(text)} matches every name; name a zone (*.example.com)`)
  if (t.startsWith('*.')) return { kind: 'below', name: normalizeName(t.slice(2)) }
  if (t.startsWith('+.')) return { kind: 'one-below', name: normalizeName(t.slice(2)) }
  if (t.endsWith('.*')) return { kind: 'right', leading: normalizeName(t.slice(0, -2)) }
  if (/[*+]/.test(t.replace(/\\./g, ''))) {
    throw bad(
      `a wildcard must be a whole label at the left (*.example.com) or right (www.example.*): ${JSON.stringify(text)}`,
    )
  }
  return { kind: 'exact', name: normalizeName(t) }
}

export function parseType(text: string): number {
  const n = typeNumber(text.trim())
  if (n === null) throw bad(`unknown record type: ${JSON.stringify(text)}`)
  return n
}

function addressOrThrow(text: string): Uint8Array {
  const a = parseIP(text.trim())
  if (a === null) throw bad(`invalid IP address: ${JSON.stringify(text)}`)
  return a
}

/** lo/hi of a prefix; host bits below the prefix length are ignored, as DNSDB does. */
export function prefixBounds(addr: Uint8Array, bits: number): { lo: Uint8Array; hi: Uint8Array } {
  const lo = Uint8Array.from(addr)
  const hi = Uint8Array.from(addr)
  for (let i = 0; i < addr.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8))
    const mask = keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff
    lo[i] = addr[i]! & mask
    hi[i] = (addr[i]! & mask) | (~mask & 0xff)
  }
  return { lo, hi }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b)
}

export function parseRdataTarget(text: string): RdataTarget {
  const t = text.trim()
  const cidr = /^([^/,]+)[/,]([0-9]{1,3})$/.exec(t)
  if (cidr !== null) {
    const addr = addressOrThrow(cidr[1]!)
    const bits = Number(cidr[2])
    if (bits > addr.length * 8)
      throw bad(`prefix length ${bits} is too long for ${cidr[1]}: ${JSON.stringify(text)}`)
    return { kind: 'address', ...prefixBounds(addr, bits) }
  }
  const dash = t.indexOf('-')
  if (dash > 0) {
    const lo = parseIP(t.slice(0, dash))
    const hi = parseIP(t.slice(dash + 1))
    if (lo !== null && hi !== null) {
      if (lo.length !== hi.length) throw bad(`a range must not mix IPv4 and IPv6: ${JSON.stringify(text)}`)
      if (compareBytes(lo, hi) > 0) throw bad(`range start is above its end: ${JSON.stringify(text)}`)
      return { kind: 'address', lo, hi }
    }
  }
  const addr = parseIP(t)
  if (addr !== null) return { kind: 'address', lo: addr, hi: addr }
  // the root as a target: null MX (RFC 7505), SRV "no service here"
  if (t === '.') return { kind: 'name', name: '.', below: false }
  if (/^[0-9.]+$/.test(t) || (/^[0-9a-f:.]+$/i.test(t) && t.includes(':'))) {
    throw bad(`invalid IP address: ${JSON.stringify(text)}`)
  }
  if (t.startsWith('*.')) return { kind: 'name', name: normalizeName(t.slice(2), 'host name'), below: true }
  return { kind: 'name', name: normalizeName(t, 'host name'), below: false }
}

/** Raw rdata hex (DNSDB's rdata/raw): address bytes, a wire-format name, or any other rdata. */
export function parseRawHex(text: string): RdataTarget {
  const hex = text.trim().replace(/[\s:]/g, '')
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(hex)) {
    throw bad(`raw rdata must be an even number of hex digits: ${JSON.stringify(text)}`)
  }
  const bytes = Uint8Array.from(Buffer.from(hex, 'hex'))
  if (bytes.length === 4 || bytes.length === 16) return { kind: 'address', lo: bytes, hi: bytes }
  const name = wireName(bytes)
  if (name !== null) return { kind: 'name', name, below: false }
  return { kind: 'raw', bytes }
}

/** The bytes as one complete uncompressed wire-format name, or null. */
function wireName(b: Uint8Array): string | null {
  const labels: Uint8Array[] = []
  let p = 0
  while (p < b.length) {
    const n = b[p]!
    if (n === 0) {
      if (p !== b.length - 1) return null
      const text = formatName(labels)
      return isValidName(text) ? text : null
    }
    if (n > 63 || p + 1 + n > b.length) return null
    labels.push(b.subarray(p + 1, p + 1 + n))
    p += 1 + n
  }
  return null
}
