/** SVCB and HTTPS (RFC 9460): `priority target key=value ...`, values unquoted as tshark shows them. */
import type { NameReader } from '../name.ts'
import { ipv4, ipv6 } from './address.ts'
import { base64, u16 } from './encoding.ts'

/** SvcParamKey names (IANA "Service Parameter Keys"); others are written keyNNNNN. */
const KEY_NAMES: readonly string[] = [
  'mandatory',
  'alpn',
  'no-default-alpn',
  'port',
  'ipv4hint',
  'ech',
  'ipv6hint',
  'dohpath',
  'ohttp',
  'tls-supported-groups',
]

function keyName(k: number): string {
  return k < KEY_NAMES.length ? KEY_NAMES[k]! : `key${k}`
}

/**
 * A value octet string in the unquoted zone-file form: `\DDD` outside 0x21–0x7E, backslash before
 * `"`, `\`, `;`, `(`, `)` and, inside comma-separated lists, `,` (RFC 9460 Appendix A.1).
 */
function valueText(buf: Uint8Array, p: number, e: number, escComma: boolean): string {
  let out = ''
  for (let i = p; i < e; i++) {
    const c = buf[i]!
    if (c < 0x21 || c > 0x7e) out += `\\${String(c).padStart(3, '0')}`
    else if (c === 0x22 || c === 0x5c || c === 0x3b || c === 0x28 || c === 0x29 || (escComma && c === 0x2c))
      out += `\\${String.fromCharCode(c)}`
    else out += String.fromCharCode(c)
  }
  return out
}

/** One SvcParam value, or null when its length does not fit the key's format. */
function paramValue(key: number, buf: Uint8Array, p: number, e: number): string | null {
  const len = e - p
  switch (key) {
    case 0: {
      if (len === 0 || len % 2 !== 0) return null
      const ks: string[] = []
      for (let i = p; i < e; i += 2) ks.push(keyName(u16(buf, i)))
      return ks.join(',')
    }
    case 1: {
      if (len === 0) return null
      const ids: string[] = []
      let i = p
      while (i < e) {
        const l = buf[i]!
        if (l === 0 || i + 1 + l > e) return null
        ids.push(valueText(buf, i + 1, i + 1 + l, true))
        i += 1 + l
      }
      return ids.join(',')
    }
    case 2:
    case 8:
      return len === 0 ? '' : null
    case 3:
      return len === 2 ? String(u16(buf, p)) : null
    case 4: {
      if (len === 0 || len % 4 !== 0) return null
      const as: string[] = []
      for (let i = p; i < e; i += 4) as.push(ipv4(buf, i))
      return as.join(',')
    }
    case 5:
      return len === 0 ? null : base64(buf, p, e)
    case 6: {
      if (len === 0 || len % 16 !== 0) return null
      const as: string[] = []
      for (let i = p; i < e; i += 16) as.push(ipv6(buf, i))
      return as.join(',')
    }
    case 9: {
      if (len === 0 || len % 2 !== 0) return null
      const gs: string[] = []
      for (let i = p; i < e; i += 2) gs.push(String(u16(buf, i)))
      return gs.join(',')
    }
    default:
      return valueText(buf, p, e, false)
  }
}

export function renderSvcb(names: NameReader, off: number, end: number): string | null {
  if (end - off < 3) return null
  const b = names.buf
  const target = names.read(off + 2, end)
  if (target === null) return null
  let out = `${u16(b, off)} ${target}`
  let p = names.next
  let lastKey = -1
  while (p < end) {
    if (p + 4 > end) return null
    const key = u16(b, p)
    const e = p + 4 + u16(b, p + 2)
    // RFC 9460 §2.2: keys strictly increasing, each value within the RDATA
    if (key <= lastKey || e > end) return null
    lastKey = key
    const v = paramValue(key, b, p + 4, e)
    if (v === null) return null
    out += key === 2 || key === 8 || (v === '' && key > 9) ? ` ${keyName(key)}` : ` ${keyName(key)}=${v}`
    p = e
  }
  return out
}
