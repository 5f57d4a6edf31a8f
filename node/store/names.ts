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

import { CHAR_CLASS, latin1Slice } from '../dns/name.ts'

const ESC = 0x01

/**
 * Whether `text` is a name parseName accepts, without building it: the store checks every name it
 * receives, so this runs once per observation and must not allocate.
 */
export function isValidNameText(text: string): boolean {
  const len = text.length
  if (len === 0) return false
  if (text === '.') return true
  let label = 0
  let wire = 1
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i)
    if (c > 0xff) return false
    if (c === 0x2e) {
      if (label === 0) return false
      wire += label + 1
      label = 0
      // a final unescaped '.' is the root
      if (i === len - 1) return wire <= 255
      continue
    }
    if (c === 0x5c) {
      const d0 = text.charCodeAt(i + 1)
      if (d0 >= 0x30 && d0 <= 0x39) {
        const d1 = text.charCodeAt(i + 2)
        const d2 = text.charCodeAt(i + 3)
        if (!(d1 >= 0x30 && d1 <= 0x39 && d2 >= 0x30 && d2 <= 0x39)) {
          // '\9x' is the character '9' escaped, then 'x'
          i += 1
        } else {
          if ((d0 - 0x30) * 100 + (d1 - 0x30) * 10 + (d2 - 0x30) > 255) return false
          i += 3
        }
      } else if (i + 1 < len) {
        if (d0 > 0xff) return false
        i += 1
      } else {
        return false
      }
    }
    if (++label > 63) return false
  }
  if (label === 0) return false
  return wire + label + 1 <= 255
}

/** Presentation → label octets (ASCII lower-cased). Null when the text is not a valid name. */
export function parseName(text: string): Uint8Array[] | null {
  if (text === '.') return []
  if (text.length === 0) return null
  if (!text.includes('\\')) return parsePlainName(text)
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

/** parseName without escapes: one latin1 buffer, labels as views of it. */
function parsePlainName(text: string): Uint8Array[] | null {
  const n = text.endsWith('.') ? text.length - 1 : text.length
  if (n === 0 || n > 253) return null
  const buf = Buffer.from(n === text.length ? text : text.slice(0, n), 'latin1')
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c > 0xff) return null
    if (c >= 0x41 && c <= 0x5a) buf[i] = c + 0x20
  }
  const labels: Uint8Array[] = []
  let start = 0
  for (let i = 0; i <= n; i++) {
    if (i === n || buf[i] === 0x2e) {
      const l = i - start
      if (l === 0 || l > 63) return null
      labels.push(new Uint8Array(buf.buffer, buf.byteOffset + start, l))
      start = i + 1
    }
  }
  return labels
}

/** Labels → presentation text, the parser's exact form. */
export function formatName(labels: readonly Uint8Array[]): string {
  if (labels.length === 0) return '.'
  let out = ''
  for (let l = 0; l < labels.length; l++) {
    if (l > 0) out += '.'
    out += formatLabel(labels[l]!)
  }
  return out
}

function formatLabel(label: Uint8Array): string {
  let plain = true
  for (let i = 0; i < label.length; i++) {
    if (CHAR_CLASS[label[i]!] !== 0) {
      plain = false
      break
    }
  }
  // the common case (letters, digits, '-', '_'): one native slice
  if (plain) return latin1Slice.call(label, 0, label.length)
  let out = ''
  for (let i = 0; i < label.length; i++) {
    const c = label[i]!
    const cls = CHAR_CLASS[c]
    if (cls === 0) out += String.fromCharCode(c)
    else if (cls === 1) out += `\\${String.fromCharCode(c)}`
    else out += `\\${String(c).padStart(3, '0')}`
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
  let start = off
  let escaped = false
  while (off < buf.length) {
    const c = buf[off++]!
    if (c === 0) {
      if (off - 1 === start) {
        if (reversed) labels.reverse()
        return { labels, next: off }
      }
      // a label without escapes is a view of the key, not a copy
      labels.push(
        escaped
          ? unescapeLabel(buf, start, off - 1)
          : new Uint8Array(buf.buffer, buf.byteOffset + start, off - 1 - start),
      )
      start = off
      escaped = false
    } else if (c === ESC) {
      if (off >= buf.length) return null
      const e = buf[off++]!
      if (e !== 1 && e !== 2) return null
      escaped = true
    }
  }
  return null
}

/** Whether the octet is written as itself in presentation (no escape): CHAR_CLASS 0 and not the key escape byte. */
const PLAIN_OCTET = new Uint8Array(256)
for (let c = 0; c < 256; c++) PLAIN_OCTET[c] = c > ESC && CHAR_CLASS[c] === 0 ? 1 : 0

/** Labels a name read in one pass may have (a 255-octet name has at most 127); more take the general path. */
const FAST_LABELS = 128
const labelStart = new Int32Array(FAST_LABELS)
const labelEnd = new Int32Array(FAST_LABELS)
/** presentation text of plain labels: at most 254 characters for a name within the wire limit */
const textScratch = Buffer.allocUnsafeSlow(1024)

/**
 * readName + formatName in one pass for the common case (no label needs an escape): the labels'
 * octets are copied in presentation order into one scratch and sliced once, so the name is one flat
 * string (a rope of label strings costs an allocation per label, and another when it is flattened
 * where it is hashed or written). Anything else falls back to the general path, so the result is
 * always formatName's.
 */
export function readNameText(
  buf: Uint8Array,
  off: number,
  reversed: boolean,
): { text: string; next: number } | null {
  let n = 0
  let chars = 0
  let start = off
  let p = off
  while (p < buf.length) {
    const c = buf[p]!
    if (c === 0) {
      if (p === start) {
        if (n === 0) return { text: '.', next: p + 1 }
        chars += n - 1
        if (chars > textScratch.length) break
        let o = 0
        for (let i = 0; i < n; i++) {
          const l = reversed ? n - 1 - i : i
          if (i > 0) textScratch[o++] = 0x2e
          for (let q = labelStart[l]!; q < labelEnd[l]!; q++) textScratch[o++] = buf[q]!
        }
        return { text: latin1Slice.call(textScratch, 0, o), next: p + 1 }
      }
      if (n === FAST_LABELS) break
      labelStart[n] = start
      labelEnd[n] = p
      chars += p - start
      n++
      start = ++p
    } else if (PLAIN_OCTET[c] === 1) {
      p++
    } else {
      break
    }
  }
  if (p >= buf.length) return null
  const r = readName(buf, off, reversed)
  return r === null ? null : { text: formatName(r.labels), next: r.next }
}

function unescapeLabel(buf: Uint8Array, start: number, end: number): Uint8Array {
  const out: number[] = []
  for (let i = start; i < end; i++) {
    const c = buf[i]!
    out.push(c === ESC ? buf[++i]! - 1 : c)
  }
  return Uint8Array.from(out)
}

const PLAIN_NAME = /^(?:[a-z0-9_-]{1,63}\.)*[a-z0-9_-]{1,63}$/

/** The parser's form of a name (lower-case, no trailing dot, its escapes), or null when not a name. */
export function canonicalName(text: string): string | null {
  // most names already are (lower-case letters, digits, hyphens): no need to take them apart
  if (text.length <= 253 && PLAIN_NAME.test(text)) return text
  const labels = parseName(text)
  return labels === null ? null : formatName(labels)
}

/** Convenience: presentation name → encoded bytes (null for an invalid name). */
export function encodeName(text: string, reversed: boolean, terminate = true): Uint8Array | null {
  const labels = parseName(text)
  if (labels === null) return null
  const out = new Uint8Array(encodedNameLength(labels))
  const end = writeName(out, 0, labels, reversed, terminate)
  return out.subarray(0, end)
}
