/**
 * Importing a line-oriented log of another sensor (Suricata EVE, passivedns): every line through the
 * format's line parser, its records into the window under an origin named for the tool and the
 * sensor (`suricata:<host>`, `passivedns:<hostname>`, `…:unknown` without one), so no file can speak
 * as a mesh peer. Each line is a sighting (EVE) or the sightings since the tool last logged the
 * record (passivedns), never a running total: counts are added, and importing the same file twice
 * counts its sightings twice, as importing the same capture twice would.
 */
import { PdnsError } from '../errors.ts'
import type { RecordId } from '../store/keys.ts'
import type { Store } from '../store/store.ts'
import { MAX_TTL } from '../store/ttl.ts'
import { eachLine, emptyResult, type LineImportResult, originResolver } from './line-import.ts'
import type { LogLineResult } from './log-record.ts'
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

export interface LogImportResult extends LineImportResult {
  /** answers or lines not stored, by reason (queries, other event types, answers logged in part…) */
  skipped: Record<string, number>
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
  const result: LogImportResult = { ...emptyResult(path), skipped: {} }
  const forced = opts.origin ?? null
  // with --origin every sensor maps to the one forced label
  const originOf = originResolver(
    opts.store,
    result,
    (sensor) => forced ?? logOriginLabel(format.prefix, sensor),
  )
  // '#' lines: the header some operators put above passivedns logs; never a record in any format
  await eachLine(path, result, { ...opts, comments: true }, (line) => {
    const parsed = format.parseLine(line)
    if (parsed instanceof PdnsError) return parsed.message
    for (const reason of parsed.skipped) result.skipped[reason] = (result.skipped[reason] ?? 0) + 1
    if (parsed.records.length === 0) return null
    const origin = originOf(forced === null ? parsed.sensor : null)
    if (origin === null) return 'sensor name is too long for an origin label'
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
    return null
  })
  return result
}
