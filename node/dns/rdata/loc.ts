/** LOC (RFC 1876): the §3 master-file text form, in the layout BIND prints. */
import { u32 } from './encoding.ts'

/** A size/precision octet: mantissa (high nibble) × 10^exponent (low nibble) centimetres; both ≤ 9. */
function cm(b: number): number {
  const m = b >> 4
  const e = b & 15
  return m > 9 || e > 9 ? -1 : m * 10 ** e
}

function meters(c: number): string {
  const whole = Math.trunc(c / 100)
  const frac = Math.abs(c % 100)
  const sign = c < 0 && whole === 0 ? '-' : ''
  return `${sign}${whole}.${frac < 10 ? '0' : ''}${frac}m`
}

/** Latitude/longitude: thousandths of an arc second offset by 2^31. */
function angle(v: number, pos: string, neg: string): string {
  let x = v - 0x80000000
  const h = x < 0 ? neg : pos
  x = Math.abs(x)
  const ms = x % 1000
  x = Math.trunc(x / 1000)
  const s = x % 60
  x = Math.trunc(x / 60)
  const m = x % 60
  const d = Math.trunc(x / 60)
  return `${d} ${m} ${s}.${String(ms).padStart(3, '0')} ${h}`
}

export function renderLoc(buf: Uint8Array, off: number, end: number): string | null {
  if (end - off !== 16 || buf[off] !== 0) return null
  const size = cm(buf[off + 1]!)
  const hp = cm(buf[off + 2]!)
  const vp = cm(buf[off + 3]!)
  if (size < 0 || hp < 0 || vp < 0) return null
  const lat = u32(buf, off + 4)
  const lon = u32(buf, off + 8)
  // altitude: centimetres above a base 100,000 m below the WGS 84 reference spheroid
  const alt = u32(buf, off + 12) - 10_000_000
  return (
    `${angle(lat, 'N', 'S')} ${angle(lon, 'E', 'W')} ${meters(alt)} ` +
    `${meters(size)} ${meters(hp)} ${meters(vp)}`
  )
}
