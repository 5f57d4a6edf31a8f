/**
 * Reading gamelinux/passivedns logs: its default line (`-f SMcsCQTAtn`, fields joined by `||`)
 *
 *   timestamp.usec||client||server||class||query||type||answer||ttl||count
 *
 * and its JSON line (`-j`, `-J`: timestamp_s, timestamp_ms — microseconds despite the name, not
 * needed at the store's one-second resolution —, client, server, class, query, type, answer, ttl, count, and hostname with `-f …h`). Its error
 * lines (the NXDOMAIN log, `-L`, the same format) carry the RCODE as the answer, TTL 0 and count 1:
 * NXDOMAIN becomes the parser's negative record for the query name and type; other RCODEs store
 * nothing.
 *
 * passivedns logs a record when first seen and then at most once per print interval (`-P`, 24 h) and
 * when it expires from its cache, with the sightings since it last logged it: counts add up, and the
 * line's time is the last of those sightings. Its TTL is the highest seen in that interval.
 *
 * What passivedns writes only in part is skipped and counted, never stored as a different record: MX
 * (exchange without preference), SRV (target only), SOA (MNAME only), RP (mailbox only) and NSEC3
 * (no type bitmap). TXT and SPF keep their first character-string only: a record of several strings
 * reads as a shorter one. Names are ldns's presentation form: trailing dot and case removed here; hex
 * fields (DS, SSHFP, NSEC3PARAM) upper-cased as the parser writes them.
 */
import { typeNumber } from '../dns/constants.ts'
import { PdnsError } from '../errors.ts'
import { canonicalName } from '../store/names.ts'
import { MAX_STORED_TIME } from '../store/value.ts'
import { canonicalRdata } from './cof.ts'
import { jsonObject } from './json-line.ts'
import { type LogLineResult, skippedLine } from './log-record.ts'

/** Fields of passivedns's default line. */
const DEFAULT_FIELDS = 9

/** The JSON keys that tell a passivedns line from COF and EVE (detection uses them too). */
export const PASSIVEDNS_JSON_KEYS = ['query', 'answer'] as const

/** RCODE names passivedns writes as the answer of an error line. */
const RCODES = new Set(
  'FORMERR SERVFAIL NXDOMAIN NOTIMPL REFUSED YXDOMAIN YXRRSET NXRRSET NOTAUTH NOTZONE'.split(' '),
)

/** Types whose answer passivedns cuts to one field: never the record the wire held. */
const PARTIAL = new Map([
  [15, 'MX'],
  [33, 'SRV'],
  [6, 'SOA'],
  [17, 'RP'],
  [50, 'NSEC3'],
])

/** Per type, the rdata field holding a name (besides those rdataTarget knows) and hex fields. */
const NAME_FIELD = new Map([
  [46, 7], // RRSIG signer
  [47, 0], // NSEC next owner
  [35, 5], // NAPTR replacement
])
const HEX_FIELD = new Map([
  [43, 3], // DS digest
  [44, 2], // SSHFP fingerprint
  [51, 3], // NSEC3PARAM salt
])

/** Whether a line has the shape of passivedns's default line (detection). */
export function isPassivednsLine(line: string): boolean {
  return /^[0-9]{1,12}(\.[0-9]{1,6})?\|\|/.test(line) && line.split('||').length === DEFAULT_FIELDS
}

/** The records of one passivedns line (default or JSON), the reasons it stored nothing, or ERR_BAD_RECORD. */
export function parsePassivednsLine(line: string): LogLineResult {
  let f: {
    time: unknown
    cls: unknown
    query: unknown
    type: unknown
    answer: unknown
    ttl: unknown
    count: unknown
  }
  let sensor: string | null = null
  if (line.trimStart().startsWith('{')) {
    const j = jsonObject(line)
    if (j instanceof PdnsError) return j
    if (PASSIVEDNS_JSON_KEYS.some((k) => !(k in j)))
      return bad('not a passivedns JSON line (no query or answer)')
    if (typeof j.hostname === 'string' && j.hostname !== '') sensor = j.hostname
    f = {
      time: j.timestamp_s,
      cls: j.class ?? 'IN',
      query: j.query,
      type: j.type,
      answer: j.answer,
      ttl: j.ttl ?? null,
      count: j.count ?? 1,
    }
  } else {
    const p = line.split('||')
    if (p.length !== DEFAULT_FIELDS) {
      return bad(
        `${p.length} fields, not passivedns's default ${DEFAULT_FIELDS} (timestamp||client||server||class||query||type||answer||ttl||count)`,
      )
    }
    const [ts, , , cls, query, type, answer, ttl, count] = p as string[] as [string, ...string[]]
    const m = /^([0-9]{1,12})(?:\.([0-9]{1,6}))?$/.exec(ts)
    if (m === null) return bad(`timestamp ${JSON.stringify(ts)} is not seconds.microseconds`)
    f = { time: Number(m[1]), cls, query, type, answer, ttl: numberOf(ttl), count: numberOf(count) }
  }

  if (typeof f.time !== 'number' || !Number.isInteger(f.time))
    return bad('timestamp_s missing or not an integer')
  const time = f.time
  if (time < 0 || time > MAX_STORED_TIME) return bad(`timestamp ${time} is out of range`)
  if (typeof f.query !== 'string') return bad('query is not a string')
  const rrname = canonicalName(f.query)
  if (rrname === null) return bad(`query ${JSON.stringify(f.query)} is not a domain name`)
  const rrtype =
    typeof f.type === 'string' ? (/^[0-9]{1,5}$/.test(f.type) ? Number(f.type) : typeNumber(f.type)) : null
  if (rrtype === null || rrtype > 65535) return bad(`type ${JSON.stringify(f.type)} is not a type`)
  if (typeof f.answer !== 'string') return bad('answer is not a string')
  const count = f.count
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) {
    return bad(`count ${JSON.stringify(f.count)} is not a positive integer`)
  }
  if (f.cls !== 'IN') return skippedLine('class', sensor)

  if (RCODES.has(f.answer)) {
    // an error line: the question's name and type, the RCODE
    if (f.answer !== 'NXDOMAIN') return skippedLine(`rcode:${f.answer}`, sensor)
    return {
      records: [{ kind: 'nxdomain', rrname, rrtype, rdata: '', time, count, ttl: null }],
      skipped: [],
      sensor,
    }
  }
  const partial = PARTIAL.get(rrtype)
  if (partial !== undefined) return skippedLine(`partial:${partial}`, sensor)
  const rdata = passivednsRdata(rrtype, f.answer)
  if (rdata instanceof PdnsError) return rdata
  const ttl = typeof f.ttl === 'number' && Number.isInteger(f.ttl) && f.ttl >= 0 ? f.ttl : null
  return { records: [{ kind: 'rr', rrname, rrtype, rdata, time, count, ttl }], skipped: [], sensor }
}

function bad(reason: string): PdnsError {
  return new PdnsError('ERR_BAD_RECORD', reason)
}

function numberOf(text: string): number | null {
  return /^[0-9]{1,15}$/.test(text) ? Number(text) : null
}

/** ldns's rdata text in the parser's form: names canonical, hex upper-case. */
function passivednsRdata(rrtype: number, text: string): string | PdnsError {
  const nameField = NAME_FIELD.get(rrtype)
  const hexField = HEX_FIELD.get(rrtype)
  if (nameField !== undefined || hexField !== undefined) {
    const parts = text.split(' ')
    if (nameField !== undefined && parts[nameField] !== undefined) {
      const name = canonicalName(parts[nameField])
      if (name === null)
        return bad(`answer ${JSON.stringify(text)}: field ${nameField + 1} is not a domain name`)
      parts[nameField] = name
    }
    if (hexField !== undefined && parts[hexField] !== undefined && parts[hexField] !== '-') {
      parts[hexField] = parts[hexField].toUpperCase()
    }
    text = parts.join(' ')
  }
  return canonicalRdata(rrtype, text)
}
