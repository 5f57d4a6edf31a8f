/**
 * Importing a line-oriented log of another sensor (Suricata EVE, passivedns): every line through the
 * format's line parser, its records into the window under an origin named for the tool and the
 * sensor (`suricata:<host>`, `passivedns:<hostname>`, `…:unknown` without one), so no file can speak
 * as a mesh peer. Each line is a sighting (EVE) or the sightings since the tool last logged the
 * record (passivedns), never a running total: counts are added, and importing the same file twice
 * counts its sightings twice, as importing the same capture twice would.
 */
import { isPdnsError, PdnsError } from '../errors.ts'
import type { RecordId } from '../store/keys.ts'
import { isLabel } from '../store/labels.ts'
import type { Store } from '../store/store.ts'
import { MAX_TTL } from '../store/ttl.ts'
import { BAD_LINES_LISTED } from './cof-file.ts'
import type { LogLineResult } from './log-record.ts'
import { readLines } from './read-lines.ts'
import type { AggregationWindow } from './window.ts'

export interface LogImportOptions {
  store: Store
  window: AggregationWindow
  /** every record's origin label, whatever sensor a line names (the --origin option) */
  origin?: string | null
  signal?: AbortSignal
  /** file bytes read, file size, lines so far */
  onProgress?: (bytesRead: number, totalBytes: number, lines: number) => void
}

export interface LogImportResult {
  file: string
  /** non-blank lines that are not comments */
  lines: number
  /** records handed to the window */
  records: number
  /** answers or lines not stored, by reason (queries, other event types, answers logged in part…) */
  skipped: Record<string, number>
  badLines: number
  /** the first BAD_LINES_LISTED bad lines with their reason */
  firstBad: { line: number; reason: string }[]
  /** origin labels the records went to */
  origins: string[]
  /** why the file ended early (unreadable, damaged gzip, ERR_ABORTED); the lines before are imported */
  error: PdnsError | null
}

/** How one log format is read. */
export interface LogFormat {
  /** origin prefix, the tool's name: `<prefix>:<sensor>` */
  prefix: string
  parseLine(line: string): LogLineResult
}

/** `<prefix>:<sensor>` (`<prefix>:unknown` without a sensor); a sensor already prefixed is kept. */
export function logOriginLabel(prefix: string, sensor: string | null): string {
  if (sensor === null) return `${prefix}:unknown`
  return sensor.startsWith(`${prefix}:`) ? sensor : `${prefix}:${sensor}`
}

export async function importLog(
  path: string,
  format: LogFormat,
  opts: LogImportOptions,
): Promise<LogImportResult> {
  const result: LogImportResult = {
    file: path,
    lines: 0,
    records: 0,
    skipped: {},
    badLines: 0,
    firstBad: [],
    origins: [],
    error: null,
  }
  const forced = opts.origin ?? null
  const originIds = new Map<string | null, number>()
  /** the origin number of a line's sensor; null when the label cannot be one */
  const originOf = (sensor: string | null): number | null => {
    const key = forced === null ? sensor : null
    let id = originIds.get(key)
    if (id === undefined) {
      const label = forced ?? logOriginLabel(format.prefix, sensor)
      if (!isLabel(label)) return null
      id = opts.store.originId(label)
      originIds.set(key, id)
      if (!result.origins.includes(label)) result.origins.push(label)
    }
    return id
  }
  const badLine = (line: number, reason: string) => {
    result.badLines++
    if (result.firstBad.length < BAD_LINES_LISTED) result.firstBad.push({ line, reason })
  }
  let done = 0
  let total = 0
  try {
    for await (const batch of readLines(path, {
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      onProgress: (d, t) => {
        done = d
        total = t
      },
    })) {
      for (let i = 0; i < batch.lines.length; i++) {
        const line = batch.lines[i]!
        const lineNo = batch.first + i
        if (line === null) {
          result.lines++
          badLine(lineNo, 'line too long')
          continue
        }
        const trimmed = line.trim()
        // '#' lines: the header some operators put above passivedns logs; never a record in any format
        if (trimmed === '' || trimmed.startsWith('#')) continue
        result.lines++
        const parsed = format.parseLine(line)
        if (parsed instanceof PdnsError) {
          badLine(lineNo, parsed.message)
          continue
        }
        for (const reason of parsed.skipped) result.skipped[reason] = (result.skipped[reason] ?? 0) + 1
        if (parsed.records.length === 0) continue
        const origin = originOf(parsed.sensor)
        if (origin === null) {
          badLine(lineNo, 'sensor name is too long for an origin label')
          continue
        }
        for (const r of parsed.records) {
          const id: RecordId = {
            kind: r.kind,
            rrname: r.rrname,
            rrtype: r.rrtype,
            bailiwick: null,
            rdata: r.rdata,
            origin,
          }
          const ttl = r.ttl
          if (ttl !== null && Number.isInteger(ttl) && ttl >= 0 && ttl <= MAX_TTL) {
            opts.window.add(id, r.time, r.time, r.count, 'add', { min: ttl, max: ttl })
          } else {
            opts.window.add(id, r.time, r.time, r.count, 'add')
          }
          result.records++
        }
      }
      opts.onProgress?.(done, total, result.lines)
    }
  } catch (err) {
    if (!isPdnsError(err) || err.code.startsWith('ERR_DB_')) throw err
    result.error = err
  }
  return result
}
