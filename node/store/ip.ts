/** Text ↔ address bytes for keys and queries (the parser's renderers give the text form back). */

/** Dotted quad → 4 bytes; null unless exactly four decimal octets without leading zeros. */
export function parseIPv4(text: string): Uint8Array | null {
  // by hand: this runs for every A record the store writes
  const out = new Uint8Array(4)
  let part = 0
  let value = 0
  let digits = 0
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e
    if (c === 0x2e) {
      if (digits === 0 || part > 3) return null
      out[part++] = value
      value = 0
      digits = 0
    } else if (c >= 0x30 && c <= 0x39) {
      // no leading zeros ('01'), at most three digits, at most 255
      if (digits === 1 && value === 0) return null
      value = value * 10 + (c - 0x30)
      if (++digits > 3 || value > 255) return null
    } else {
      return null
    }
  }
  return part === 4 ? out : null
}

/** RFC 4291 §2.2 text (with `::` and a trailing dotted quad) → 16 bytes; null when malformed. */
export function parseIPv6(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 45) return null
  let s = text.toLowerCase()
  let tail: Uint8Array | null = null
  const lastColon = s.lastIndexOf(':')
  if (lastColon >= 0 && s.indexOf('.', lastColon) > lastColon) {
    tail = parseIPv4(s.slice(lastColon + 1))
    if (tail === null) return null
    s = `${s.slice(0, lastColon + 1)}0:0`
  }
  const halves = s.split('::')
  if (halves.length > 2) return null
  const groups = (h: string): number[] | null => {
    if (h === '') return []
    const out: number[] = []
    for (const g of h.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return null
      out.push(Number.parseInt(g, 16))
    }
    return out
  }
  const head = groups(halves[0]!)
  const rest = halves.length === 2 ? groups(halves[1]!) : []
  if (head === null || rest === null) return null
  const fill = 8 - head.length - rest.length
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest]
  const out = new Uint8Array(16)
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i]! >> 8
    out[2 * i + 1] = all[i]! & 0xff
  }
  if (tail !== null) out.set(tail, 12)
  return out
}

/** Either family: 4 or 16 bytes, or null. */
export function parseIP(text: string): Uint8Array | null {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text)
}
