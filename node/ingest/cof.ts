/**
 * Reading COF (draft-dulaunoy-dnsop-passive-dns-cof), the NDJSON that passive DNS servers export:
 * one JSON object per line with rrname, rrtype, rdata, time_first, time_last, count and optional
 * bailiwick and sensor_id. Lines become records in the store's form (the parser's presentation text:
 * lower-case names without the trailing dot, compressed IPv6), so a record imported from COF and the
 * same record seen on the wire are one record. The `negative` extension ("nxdomain", "nodata"), which
 * pdns-mesh writes for negative answers, reads back as those.
 */
import { typeNumber } from '../dns/constants.ts'
import { PdnsError } from '../errors.ts'
import { parseIPv4, parseIPv6 } from '../store/ip.ts'
import { type RecordKind, rdataTarget, rdataText, T_A, T_AAAA } from '../store/keys.ts'
import { isLabel } from '../store/labels.ts'
import { canonicalName } from '../store/names.ts'
import { MAX_STORED_TIME } from '../store/value.ts'
import { jsonObject } from './json-line.ts'

/** Origin label of COF lines without a sensor_id (unless the import names one). */
export const COF_UNKNOWN_SENSOR = 'cof:unknown'

/** One record of a COF line (a line with several rdata gives several). */
export interface CofRecord {
  kind: RecordKind
  rrname: string
  rrtype: number
  bailiwick: string | null
  /** presentation form; '' for negative answers */
  rdata: string
  /** epoch seconds */
  first: number
  last: number
  count: number
  /** the line's sensor_id, or null */
  sensorId: string | null
}

/** The records of one COF line, or an ERR_BAD_RECORD error saying why the line is not valid. */
export function parseCofLine(line: string): CofRecord[] | PdnsError {
  const f = jsonObject(line)
  if (f instanceof PdnsError) return f

  if (typeof f.rrname !== 'string')
    return bad(f.rrname === undefined ? 'rrname missing' : 'rrname is not a string')
  const rrname = canonicalName(f.rrname)
  if (rrname === null) return bad(`rrname ${JSON.stringify(f.rrname)} is not a domain name`)

  const rrtype = typeOf(f.rrtype)
  if (rrtype === null) {
    return bad(f.rrtype === undefined ? 'rrtype missing' : `rrtype ${JSON.stringify(f.rrtype)} is not a type`)
  }

  if (f.rrclass !== undefined && f.rrclass !== 'IN' && f.rrclass !== 1) {
    return bad(`rrclass ${JSON.stringify(f.rrclass)}: only class IN is stored`)
  }

  let bailiwick: string | null = null
  if (f.bailiwick !== undefined && f.bailiwick !== null && f.bailiwick !== '') {
    if (typeof f.bailiwick !== 'string') return bad('bailiwick is not a string')
    bailiwick = canonicalName(f.bailiwick)
    if (bailiwick === null) return bad(`bailiwick ${JSON.stringify(f.bailiwick)} is not a domain name`)
  }

  const first = timeOf(f, 'time_first')
  if (typeof first === 'string') return bad(first)
  const last = timeOf(f, 'time_last')
  if (typeof last === 'string') return bad(last)
  if (first > last) return bad(`time_first ${first} is after time_last ${last}`)

  let count = 1
  if (f.count !== undefined) {
    const c = integerOf(f.count)
    if (c === null || c < 1) return bad(`count ${JSON.stringify(f.count)} is not a positive integer`)
    count = c
  }

  let sensorId: string | null = null
  if (typeof f.sensor_id === 'string' || typeof f.sensor_id === 'number') {
    sensorId = String(f.sensor_id)
    if (sensorId === '') sensorId = null
    else if (!isLabel(sensorId)) return bad('sensor_id holds control characters or is too long')
  } else if (f.sensor_id !== undefined && f.sensor_id !== null) {
    return bad('sensor_id is not a string')
  }

  const rdata = f.rdata === undefined || f.rdata === null ? [] : f.rdata
  const texts = Array.isArray(rdata) ? rdata : [rdata]
  for (const t of texts) if (typeof t !== 'string') return bad('rdata is not a string or an array of strings')

  const common = { rrname, rrtype, bailiwick, first, last, count, sensorId }
  if (f.negative !== undefined && f.negative !== null) {
    if (f.negative !== 'nxdomain' && f.negative !== 'nodata') {
      return bad(`negative ${JSON.stringify(f.negative)} is neither "nxdomain" nor "nodata"`)
    }
    if (texts.some((t) => t !== '')) return bad(`a ${f.negative} record with rdata`)
    return [{ kind: f.negative, rdata: '', ...common }]
  }
  if (texts.length === 0) return bad(f.rdata === undefined ? 'rdata missing' : 'rdata is empty')
  const out: CofRecord[] = []
  for (const t of texts as string[]) {
    const r = canonicalRdata(rrtype, t)
    if (r instanceof PdnsError) return r
    out.push({ kind: 'rr', rdata: r, ...common })
  }
  return out
}

function bad(reason: string): PdnsError {
  return new PdnsError('ERR_BAD_RECORD', reason)
}

function typeOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 65535 ? v : null
  if (typeof v !== 'string') return null
  if (/^[0-9]{1,5}$/.test(v)) return Number(v) <= 65535 ? Number(v) : null
  return typeNumber(v)
}

function integerOf(v: unknown): number | null {
  const n = typeof v === 'string' && /^[0-9]{1,16}$/.test(v) ? Number(v) : v
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : null
}

/** `time_first` / `time_last` in seconds, else its `_ms` variant; a reason string when neither is valid. */
function timeOf(f: Record<string, unknown>, field: string): number | string {
  let v = f[field]
  let scale = 1
  if (v === undefined || v === null) {
    v = f[`${field}_ms`]
    scale = 1000
    if (v === undefined || v === null) return `${field} missing`
  }
  const n = typeof v === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(v) ? Number(v) : v
  if (typeof n !== 'number' || !Number.isFinite(n)) return `${field} ${JSON.stringify(v)} is not a number`
  const sec = Math.floor(n / scale)
  if (sec < 0 || sec > MAX_STORED_TIME) return `${field} ${JSON.stringify(v)} is out of range`
  return sec
}

/**
 * Rdata in the parser's form: A/AAAA as addresses (or the RFC 3597 `\#` form the parser keeps for a
 * malformed one), the host name of NS, CNAME, MX, SRV… canonical; other types as given.
 */
export function canonicalRdata(rrtype: number, text: string): string | PdnsError {
  if (text === '') return bad('rdata is empty')
  if (text.includes('\u0000')) return bad('rdata holds a NUL character')
  // a lone surrogate would be stored as U+FFFD: two different lines would become one record
  if (!text.isWellFormed()) return bad('rdata is not well-formed Unicode (a lone surrogate)')
  // control characters in the parser's \DDD form, as the parser writes them: never raw in the store
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  text = text.replace(/[\u0001-\u001f\u007f]/g, (c) => `\\${String(c.charCodeAt(0)).padStart(3, '0')}`)
  if (text.startsWith('\\# ')) return text
  if (rrtype === T_A || rrtype === T_AAAA) {
    const a = rrtype === T_A ? parseIPv4(text) : parseIPv6(text)
    if (a === null) return bad(`rdata ${JSON.stringify(text)} is not an IPv${rrtype === T_A ? 4 : 6} address`)
    return rdataText(rrtype, a)
  }
  const target = rdataTarget(rrtype, text)
  if (target === null) return text
  const name = canonicalName(target)
  if (name === null || name === target) return text
  // the first field equal to the target text: any earlier equal field has the same canonical form
  const parts = text.split(' ')
  parts[parts.indexOf(target)] = name
  return parts.join(' ')
}
