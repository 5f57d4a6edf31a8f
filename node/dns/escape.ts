/**
 * Master-file escapes (RFC 1035 §5.1), shared by names (name.ts) and character-strings
 * (rdata/encoding.ts): `\X` for an octet that would otherwise end or break the text, `\DDD` (three
 * decimal digits) for one that is not printable. Each caller's table says which octets need which.
 */

/** The octet is written after a backslash (`\.` in a label, `\"` in a string). */
export const ESCAPE_CHAR = 1
/** The octet is written as a backslash and three decimal digits. */
export const ESCAPE_DECIMAL = 2

/** Writes octet `c` escaped (`how`: ESCAPE_CHAR or ESCAPE_DECIMAL) into `s` at `n`; returns the new end. */
export function writeEscape(s: Uint8Array, n: number, c: number, how: number): number {
  s[n++] = 0x5c
  if (how === ESCAPE_CHAR) {
    s[n++] = c
    return n
  }
  s[n++] = 0x30 + ((c / 100) | 0)
  s[n++] = 0x30 + (((c / 10) | 0) % 10)
  s[n++] = 0x30 + (c % 10)
  return n
}
