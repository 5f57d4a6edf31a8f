/**
 * Map keys from IP addresses: one UTF-16 code unit per 16-bit word, built in a single
 * String.fromCharCode call so the key is a flat string (no concatenation per word) and hashes fast.
 */

const w = (b: Uint8Array, p: number): number => (b[p]! << 8) | b[p + 1]!

/** The address at b[p, p + len) (len 4 or 16) as a 2- or 8-character key. */
export function addrKey(b: Uint8Array, p: number, len: number): string {
  if (len === 4) return String.fromCharCode(w(b, p), w(b, p + 2))
  return String.fromCharCode(
    w(b, p),
    w(b, p + 2),
    w(b, p + 4),
    w(b, p + 6),
    w(b, p + 8),
    w(b, p + 10),
    w(b, p + 12),
    w(b, p + 14),
  )
}
