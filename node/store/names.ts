/**
 * Domain names in keys. A presentation name (the parser's form: lower-case, no trailing dot, root '.',
 * master-file escapes) becomes its labels, and labels become an order-preserving, self-delimiting byte
 * string:
 *
 *   label octets, with 0x00 → 01 01 and 0x01 → 01 02, then a 00 separator; after the last label one
 *   more 00 (the empty root label).
 *
 * Because a label's encoding never contains 00 and is never empty, "end of name" (00) sorts before any
 * further label, and byte order of encoded names equals RFC 4034 canonical order when the labels are
 * written from the top (`com`, `example`, `www`): a left wildcard `*.example.com` is the prefix
 * `com 00 example 00`. The same labels written from the left give the forward form that serves right
 * wildcards (`www.example.*`).
 */

const ESC = 0x01

/** Presentation → label octets (ASCII lower-cased). Null when the text is not a valid name. */
export function parseName(text: string): Uint8Array[] | null {
  if (text === '.') return []
  if (text.length === 0) return null
  const labels: Uint8Array[] = []
  let cur: number[] = []
  let wire = 1
  // a final '.' is the root unless escaped (an odd number of backslashes before it)
  let slashes = 0
  while (text.length - 2 - slashes >= 0 && text.charCodeAt(text.length - 2 - slashes) === 0x5c) slashes++
  const n = text.endsWith('.') && slashes % 2 === 0 ? text.length - 1 : text.length
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i)
    if (c > 0xff) return null
    if (c === 0x2e) {
      // '.' ends a label
      if (cur.length === 0) return null
      labels.push(Uint8Array.from(cur))
      wire += cur.length + 1
      cur = []
      continue
    }
    if (c === 0x5c) {
      // '\DDD' or '\X'
      const d = text.slice(i + 1, i + 4)
      if (/^[0-9]{3}$/.test(d)) {
        c = Number(d)
        if (c > 255) return null
        i += 3
      } else if (i + 1 < n) {
        c = text.charCodeAt(++i)
        if (c > 0xff) return null
      } else {
        return null
      }
    }
    cur.push(c >= 0x41 && c <= 0x5a ? c + 0x20 : c)
    if (cur.length > 63) return null
  }
  if (cur.length === 0) return null
  labels.push(Uint8Array.from(cur))
  wire += cur.length + 1
  return wire > 255 ? null : labels
}

/** How an octet is written in presentation: 0 as is, 1 backslash-escaped, 2 as \DDD (as the parser does). */
const CHAR_CLASS = new Uint8Array(256)
for (let c = 0; c < 256; c++) CHAR_CLASS[c] = c < 0x21 || c > 0x7e ? 2 : 0
for (const ch of '.\\";()@$') CHAR_CLASS[ch.charCodeAt(0)] = 1

/** Labels → presentation text, the parser's exact form. */
export function formatName(labels: readonly Uint8Array[]): string {
  if (labels.length === 0) return '.'
  let out = ''
  for (let l = 0; l < labels.length; l++) {
    if (l > 0) out += '.'
    const label = labels[l]!
    for (let i = 0; i < label.length; i++) {
      const c = label[i]!
      const cls = CHAR_CLASS[c]
      if (cls === 0) out += String.fromCharCode(c)
      else if (cls === 1) out += `\\${String.fromCharCode(c)}`
      else out += `\\${String(c).padStart(3, '0')}`
    }
  }
  return out
}

/** Encoded size of the labels in either order. */
export function encodedNameLength(labels: readonly Uint8Array[]): number {
  let n = 1
  for (const label of labels) {
    n += label.length + 1
    for (let i = 0; i < label.length; i++) if (label[i]! <= ESC) n++
  }
  return n
}

/**
 * Writes the labels (top label first when `reversed`), returns the offset after the terminator.
 * `terminate` false leaves off the final 00, giving the prefix of every name at or below this one.
 */
export function writeName(
  out: Uint8Array,
  off: number,
  labels: readonly Uint8Array[],
  reversed: boolean,
  terminate = true,
): number {
  const n = labels.length
  for (let k = 0; k < n; k++) {
    const label = labels[reversed ? n - 1 - k : k]!
    for (let i = 0; i < label.length; i++) {
      const c = label[i]!
      if (c <= ESC) {
        out[off++] = ESC
        out[off++] = c + 1
      } else {
        out[off++] = c
      }
    }
    out[off++] = 0
  }
  if (terminate) out[off++] = 0
  return off
}

/** Reads an encoded name at `off`; labels come back in presentation order (leftmost first). */
export function readName(
  buf: Uint8Array,
  off: number,
  reversed: boolean,
): { labels: Uint8Array[]; next: number } | null {
  const labels: Uint8Array[] = []
  const cur: number[] = []
  while (off < buf.length) {
    const c = buf[off++]!
    if (c === 0) {
      if (cur.length === 0) {
        if (reversed) labels.reverse()
        return { labels, next: off }
      }
      labels.push(Uint8Array.from(cur))
      cur.length = 0
    } else if (c === ESC) {
      if (off >= buf.length) return null
      const e = buf[off++]!
      if (e !== 1 && e !== 2) return null
      cur.push(e - 1)
    } else {
      cur.push(c)
    }
  }
  return null
}

/** Convenience: presentation name → encoded bytes (null for an invalid name). */
export function encodeName(text: string, reversed: boolean, terminate = true): Uint8Array | null {
  const labels = parseName(text)
  if (labels === null) return null
  const out = new Uint8Array(encodedNameLength(labels))
  const end = writeName(out, 0, labels, reversed, terminate)
  return out.subarray(0, end)
}
