/**
 * Reading Suricata's EVE JSON: the `dns` events that carry answers become records in the store's form
 * (the parser's presentation text), timed by the event's `timestamp`. The forms Suricata has written:
 *
 * - version 2 (Suricata 5–7) and 3 (8): one event per response, `dns.answers` (detailed: rrname,
 *   rrtype, ttl, rdata or an `soa`/`srv`/`sshfp` object) and/or `dns.grouped` (values by type, no
 *   owner: the owners are inferred from the question along the CNAME chain, in the order logged);
 * - version 1 (Suricata ≤ 4): one event per answer record, `dns.type: "answer"` with rrname, rrtype,
 *   ttl, rdata on `dns` itself.
 *
 * A response without answers gives the parser's negative record: NXDOMAIN, or NODATA when the
 * authorities are not a referral, for the question (or the end of its CNAME chain). What Suricata
 * logs only in part is skipped and counted by reason, never stored as a different record: MX without
 * its preference, types logged without rdata (RRSIG, DNSKEY, …). Queries and other event types are
 * counted too. Suricata writes names and text from raw bytes, non-printable ones as `\xHH`: these are
 * read back as bytes (`\DDD` in names, as the parser writes them). A TXT answer is one
 * character-string: Suricata logs a record of several strings as one answer per string (or, in old
 * versions, its first string only), so such a record imports as other, shorter TXT records
 * (test/fixtures/logs/suricata/known-differences.tsv).
 */
import { typeName, typeNumber } from '../dns/constants.ts'
import { quoted } from '../dns/rdata/encoding.ts'
import { isAtOrBelow } from '../dns/zone.ts'
import { PdnsError } from '../errors.ts'
import { canonicalName } from '../store/names.ts'
import { MAX_STORED_TIME } from '../store/value.ts'
import { canonicalRdata } from './cof.ts'
import { jsonObject } from './json-line.ts'
import { type LogLineResult, type LogRecord, skippedLine } from './log-record.ts'

const T_CNAME = 5
const T_SOA = 6
const T_MX = 15
const T_TXT = 16
const T_SPF = 99
const T_SRV = 33
const T_SSHFP = 44

/** One answer as Suricata logged it: owner (null: not logged, grouped form), type, ttl, the value. */
interface EveAnswer {
  rrname: string | null
  rrtype: number
  ttl: number | null
  value: unknown
}

/** The records of one EVE line, the reasons it stored nothing, or ERR_BAD_RECORD when it is not EVE. */
export function parseEveLine(line: string): LogLineResult {
  const o = jsonObject(line)
  if (o instanceof PdnsError) return o
  if (typeof o.event_type !== 'string') return bad('not an EVE event (no event_type)')
  const sensor = typeof o.host === 'string' && o.host !== '' ? o.host : null
  if (o.event_type !== 'dns') return skippedLine('not dns', sensor)
  const dns = o.dns
  if (!isObject(dns)) return bad('a dns event without a dns object')
  if (dns.type === 'query' || dns.type === 'request') return skippedLine('query', sensor)
  if (dns.type === 'authority') return skippedLine('authority', sensor)
  if (dns.type !== 'answer' && dns.type !== 'response') {
    return bad(`dns.type ${JSON.stringify(dns.type)} is neither a query nor an answer`)
  }
  const time = eveTime(o.timestamp)
  if (typeof time === 'string') return bad(time)

  // the question: v1/v2 name it on dns itself, v3 in dns.queries
  const q = Array.isArray(dns.queries) && isObject(dns.queries[0]) ? dns.queries[0] : dns
  const qname = typeof q.rrname === 'string' ? eveName(q.rrname) : null
  const qtype = typeof q.rrtype === 'string' ? typeNumber(q.rrtype) : null

  let answers: EveAnswer[]
  if (dns.version === undefined && (dns.rdata !== undefined || dns.ttl !== undefined)) {
    // version 1: the event is one answer record
    const rrtype = typeof dns.rrtype === 'string' ? typeNumber(dns.rrtype) : null
    if (rrtype === null) return bad(`rrtype ${JSON.stringify(dns.rrtype)} is not a type`)
    answers = [{ rrname: qname, rrtype, ttl: ttlOf(dns.ttl), value: answerValue(dns) }]
  } else if (Array.isArray(dns.answers)) {
    answers = []
    for (const a of dns.answers) {
      if (!isObject(a)) return bad('an answer is not an object')
      const rrtype = typeof a.rrtype === 'string' ? typeNumber(a.rrtype) : null
      if (rrtype === null) return bad(`answer rrtype ${JSON.stringify(a.rrtype)} is not a type`)
      const rrname = typeof a.rrname === 'string' ? eveName(a.rrname) : null
      if (rrname === null) return bad(`answer rrname ${JSON.stringify(a.rrname)} is not a domain name`)
      answers.push({ rrname, rrtype, ttl: ttlOf(a.ttl), value: answerValue(a) })
    }
  } else if (isObject(dns.grouped)) {
    const g = groupedAnswers(dns.grouped, qname)
    if (g instanceof PdnsError) return g
    answers = g
  } else {
    answers = []
  }

  const out: LogLine = { records: [], skipped: [], sensor }
  for (const a of answers) {
    if (a.rrname === null) {
      out.skipped.push('owner unknown')
      continue
    }
    const rdata = eveRdata(a.rrtype, a.value)
    if (rdata instanceof PdnsError) return rdata
    if (rdata.skip !== undefined) {
      out.skipped.push(rdata.skip)
      continue
    }
    out.records.push({
      kind: 'rr',
      rrname: a.rrname,
      rrtype: a.rrtype,
      rdata: rdata.text,
      time,
      count: 1,
      ttl: a.ttl,
    })
  }
  // a version 1 answer event is one record of a response: the negative is decided on its own events
  if (dns.version !== undefined || answers.length === 0) {
    const neg = negative(dns, qname, qtype, answers, time)
    if (typeof neg === 'string') {
      if (answers.length === 0) out.skipped.push(neg)
    } else if (neg !== null) out.records.push(neg)
  }
  return out
}

type LogLine = Exclude<LogLineResult, PdnsError>

function bad(reason: string): PdnsError {
  return new PdnsError('ERR_BAD_RECORD', reason)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** An answer's value: its rdata string, or the object Suricata logs for SOA, SRV, SSHFP. */
function answerValue(a: Record<string, unknown>): unknown {
  return a.rdata ?? a.soa ?? a.srv ?? a.sshfp
}

function ttlOf(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null
}

/** `2019-08-22T23:48:27.924120+0000` (or `Z`, `+00:00`; no offset: UTC) in epoch seconds, or why not. */
function eveTime(v: unknown): number | string {
  if (typeof v !== 'string') return v === undefined ? 'timestamp missing' : 'timestamp is not a string'
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.exec(v)
  if (m === null) return `timestamp ${JSON.stringify(v)} is not an ISO 8601 time`
  let t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000
  const zone = m[7]
  if (zone !== undefined && zone !== 'Z') {
    const z = zone.replace(':', '')
    t -= (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 3600 + Number(z.slice(3, 5)) * 60)
  }
  if (!(t >= 0 && t <= MAX_STORED_TIME)) return `timestamp ${JSON.stringify(v)} is out of range`
  return t
}

/** Suricata's `\xHH` (a byte it could not print) as bytes. */
function eveBytes(text: string): Buffer {
  if (!text.includes('\\x')) return Buffer.from(text, 'utf8')
  const parts: Buffer[] = []
  let last = 0
  for (const m of text.matchAll(/\\x([0-9a-fA-F]{2})/g)) {
    parts.push(Buffer.from(text.slice(last, m.index), 'utf8'), Buffer.of(Number.parseInt(m[1]!, 16)))
    last = m.index + m[0].length
  }
  parts.push(Buffer.from(text.slice(last), 'utf8'))
  return Buffer.concat(parts)
}

/** A name as Suricata logs it (no trailing dot; the root `<root>` or empty) in the parser's form. */
function eveName(text: string): string | null {
  if (text === '' || text === '<root>' || text === '.') return '.'
  // bytes Suricata wrote as \xHH become the \DDD escapes of presentation names
  const escaped = text.replace(
    /\\x([0-9a-fA-F]{2})/g,
    (_m, h: string) => `\\${String(Number.parseInt(h, 16)).padStart(3, '0')}`,
  )
  return canonicalName(escaped)
}

/** The parser's rdata text for one logged value, what to skip it as, or a bad-line error. */
function eveRdata(
  rrtype: number,
  v: unknown,
): { text: string; skip?: undefined } | { skip: string } | PdnsError {
  const type = typeName(rrtype)
  if (v === undefined || v === null) return { skip: `no rdata:${type}` }
  if (rrtype === T_MX) return { skip: 'partial:MX' }
  if (rrtype === T_SOA || rrtype === T_SRV || rrtype === T_SSHFP) {
    if (!isObject(v)) return bad(`${type} rdata is not an object`)
    return objectRdata(rrtype, v)
  }
  if (typeof v !== 'string') return bad(`${type} rdata is not a string`)
  if (rrtype === T_TXT || rrtype === T_SPF) {
    // one character-string: Suricata logs a TXT record's first string (or, by version, its strings joined)
    const bytes = eveBytes(v)
    return { text: quoted(bytes, 0, bytes.length) }
  }
  if (TARGET_TYPES.has(rrtype)) {
    const name = eveName(v)
    if (name === null) return bad(`${type} rdata ${JSON.stringify(v)} is not a domain name`)
    return { text: name }
  }
  if (rrtype === 1 || rrtype === 28) {
    const r = canonicalRdata(rrtype, v)
    return r instanceof PdnsError ? r : { text: r }
  }
  // NULL and what else Suricata logs as raw bytes: not the parser's form of that type
  return { skip: `partial:${type}` }
}

/** Types whose whole rdata is one name: NS, MD, MF, CNAME, MB, MG, MR, PTR, DNAME. */
const TARGET_TYPES = new Set([2, 3, 4, 5, 7, 8, 9, 12, 39])

function objectRdata(rrtype: number, o: Record<string, unknown>): { text: string } | PdnsError {
  const n = (k: string, max: number): number | null => {
    const v = o[k]
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? v : null
  }
  if (rrtype === T_SOA) {
    const mname = typeof o.mname === 'string' ? eveName(o.mname) : null
    const rname = typeof o.rname === 'string' ? eveName(o.rname) : null
    const nums = ['serial', 'refresh', 'retry', 'expire', 'minimum'].map((k) => n(k, 0xffffffff))
    if (mname === null || rname === null || nums.includes(null)) return bad('soa is incomplete')
    return { text: [mname, rname, ...nums].join(' ') }
  }
  if (rrtype === T_SRV) {
    const target = typeof o.name === 'string' ? eveName(o.name) : null
    const nums = ['priority', 'weight', 'port'].map((k) => n(k, 0xffff))
    if (target === null || nums.includes(null)) return bad('srv is incomplete')
    return { text: [...nums, target].join(' ') }
  }
  const fp = typeof o.fingerprint === 'string' ? o.fingerprint.replaceAll(':', '') : ''
  const algo = n('algo', 255)
  const fpType = n('type', 255)
  if (!/^([0-9a-fA-F]{2})+$/.test(fp) || algo === null || fpType === null) return bad('sshfp is incomplete')
  return { text: `${algo} ${fpType} ${fp.toUpperCase()}` }
}

/**
 * The grouped form: `{"A": [...], "CNAME": [...]}`. The first CNAME belongs to the question, each
 * next one to the previous target, every other value to the end of that chain.
 */
function groupedAnswers(grouped: Record<string, unknown>, qname: string | null): EveAnswer[] | PdnsError {
  const out: EveAnswer[] = []
  let owner = qname
  const cnames = grouped.CNAME
  if (cnames !== undefined) {
    if (!Array.isArray(cnames)) return bad('grouped CNAME is not an array')
    for (const c of cnames) {
      out.push({ rrname: owner, rrtype: T_CNAME, ttl: null, value: c })
      owner = typeof c === 'string' ? eveName(c) : null
    }
  }
  for (const [k, values] of Object.entries(grouped)) {
    if (k === 'CNAME') continue
    const rrtype = typeNumber(k)
    if (rrtype === null) return bad(`grouped type ${JSON.stringify(k)} is not a type`)
    if (!Array.isArray(values)) return bad(`grouped ${k} is not an array`)
    for (const v of values) out.push({ rrname: owner, rrtype, ttl: null, value: v })
  }
  return out
}

/**
 * The negative record of a response as the parser would make it: NXDOMAIN, or NODATA (NOERROR, not
 * cut, not a referral), about the question or the end of its CNAME chain; null when the answers
 * answer it; a skip reason when the rcode says nothing storable.
 */
function negative(
  dns: Record<string, unknown>,
  qname: string | null,
  qtype: number | null,
  answers: EveAnswer[],
  time: number,
): LogRecord | string | null {
  const rcode = dns.rcode
  if (rcode !== 'NXDOMAIN' && rcode !== 'NOERROR') return `rcode:${String(rcode)}`
  if (qname === null || qtype === null) return 'no question'
  if (dns.tc === true) return 'truncated'
  if (qtype >= 128 && qtype <= 255 && answers.length > 0) return null
  let target = qname
  for (let hops = 0; hops <= answers.length; hops++) {
    if (answers.some((a) => a.rrname === target && a.rrtype === qtype)) return null
    const next = answers.find((a) => a.rrname === target && a.rrtype === T_CNAME)
    const name = typeof next?.value === 'string' ? eveName(next.value) : null
    if (name === null) break
    target = name
  }
  const auth = Array.isArray(dns.authorities) ? dns.authorities.filter(isObject) : []
  const soaOwners = auth
    .filter((a) => a.rrtype === 'SOA' && typeof a.rrname === 'string')
    .map((a) => eveName(a.rrname as string))
  if (rcode === 'NOERROR') {
    if (answers.length === 0 && soaOwners.length === 0 && auth.some((a) => a.rrtype === 'NS'))
      return 'referral'
    // behind a CNAME only an SOA of the target's zone says the target has no such data (RFC 2308 §2.2.1)
    if (target !== qname && !soaOwners.some((z) => z !== null && isAtOrBelow(target, z))) return null
  }
  return {
    kind: rcode === 'NXDOMAIN' ? 'nxdomain' : 'nodata',
    rrname: target,
    rrtype: qtype,
    rdata: '',
    time,
    count: 1,
    ttl: null,
  }
}
