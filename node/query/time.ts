/**
 * Times on the command line: epoch seconds, ISO 8601, or relative to now. Relative times are
 * DNSDB's: a negative number of seconds (`-86400`) or a negative span with units (`-7d`, `-12h`,
 * `-1w2d`), meaning that long before now.
 */
import { PdnsError } from '../errors.ts'

/** Largest time the store keeps (its keys hold u32 seconds). */
export const MAX_TIME = 0xffffffff

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }

const RELATIVE = /^-((?:[0-9]+[smhdw])+)$/
const RELATIVE_PART = /([0-9]+)([smhdw])/g
/** 2026-01-31, 2026-01-31T12:30, 2026-01-31T12:30:05.250Z, 2026-01-31 12:30:05+01:00 */
const ISO =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$/i

/**
 * Epoch seconds (an integer) for `text`; `nowSec` is the reference for relative times. An ISO
 * date or datetime without a zone is UTC. Throws ERR_BAD_QUERY naming the value.
 */
export function parseTime(text: string, nowSec: number): number {
  const s = text.trim()
  const t = parse(s, nowSec)
  if (t === null) {
    throw new PdnsError(
      'ERR_BAD_QUERY',
      `'${text}' is not a time (epoch seconds, ISO 8601 like 2026-01-31 or 2026-01-31T12:00:00Z, or relative like -7d, -12h, -3600)`,
    )
  }
  if (t < 0 || t > MAX_TIME) {
    throw new PdnsError('ERR_BAD_QUERY', `time '${text}' is out of range (1970 to 2106)`)
  }
  return t
}

function parse(s: string, nowSec: number): number | null {
  if (/^[0-9]{1,15}$/.test(s)) return Number(s)
  if (/^-[0-9]{1,15}$/.test(s)) return Math.floor(nowSec) - Number(s.slice(1))
  const rel = RELATIVE.exec(s)
  if (rel !== null) {
    let span = 0
    for (const m of rel[1]!.matchAll(RELATIVE_PART)) span += Number(m[1]) * UNIT_SECONDS[m[2]!]!
    return Number.isSafeInteger(span) ? Math.floor(nowSec) - span : null
  }
  return parseIso(s)
}

function parseIso(s: string): number | null {
  const m = ISO.exec(s)
  if (m === null) return null
  const [, y, mo, d, h, mi, sec, , zone] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = h === undefined ? 0 : Number(h)
  const minute = mi === undefined ? 0 : Number(mi)
  const second = sec === undefined ? 0 : Number(sec)
  // Date.UTC reads years 0-99 as 1900-1999; nothing before 1970 is in range anyway
  if (year < 1970) return -1
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null
  // 24:00:00 is the end of the day in ISO 8601; a leap second is not representable in epoch time
  if (hour > 24 || minute > 59 || second > 59 || (hour === 24 && (minute > 0 || second > 0))) return null
  let offsetMin = 0
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const zh = Number(zone.slice(1, 3))
    const zm = zone.length > 3 ? Number(zone.slice(-2)) : 0
    if (zh > 23 || zm > 59) return null
    offsetMin = (zone[0] === '-' ? -1 : 1) * (zh * 60 + zm)
  }
  // fractions of a second are cut: the store keeps whole seconds
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offsetMin * 60
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}
