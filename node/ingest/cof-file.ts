/**
 * A COF NDJSON file exported by another passive DNS server (or by `pdns-mesh export`). A COF record
 * is a copy of a sensor's cumulative counter: merged with 'max', so importing a file twice changes
 * nothing.
 */
import { isPdnsError, PdnsError } from '../errors.ts'
import type { RecordId } from '../store/keys.ts'
import { isLabel } from '../store/labels.ts'
import type { Store } from '../store/store.ts'
import { COF_UNKNOWN_SENSOR, type CofRecord, parseCofLine } from './cof.ts'
import { readLines } from './read-lines.ts'
import type { AggregationWindow } from './window.ts'

/** Bad COF lines listed by number (all are counted). */
export const BAD_LINES_LISTED = 5

export interface CofImportOptions {
  store: Store
  window: AggregationWindow
  /** every record's origin label, whatever its sensor_id says (the --origin option) */
  origin?: string | null
  /** origin label of lines without a sensor_id (default COF_UNKNOWN_SENSOR) */
  defaultOrigin?: string
  signal?: AbortSignal
  /** file bytes read, file size, lines so far */
  onProgress?: (bytesRead: number, totalBytes: number, lines: number) => void
}

export interface CofImportResult {
  file: string
  /** non-blank lines */
  lines: number
  /** records handed to the window (a line with several rdata gives several) */
  records: number
  badLines: number
  /** the first BAD_LINES_LISTED bad lines with their reason */
  firstBad: { line: number; reason: string }[]
  /** origin labels the records went to */
  origins: string[]
  /** why the file ended early (unreadable, damaged gzip, ERR_ABORTED); the lines before are imported */
  error: PdnsError | null
}

/** The origin label of a COF sensor: `cof:<sensor_id>`, so no file can speak as a mesh peer. */
export function cofOriginLabel(sensorId: string): string {
  return sensorId.startsWith('cof:') ? sensorId : `cof:${sensorId}`
}

export async function importCof(path: string, opts: CofImportOptions): Promise<CofImportResult> {
  const result: CofImportResult = {
    file: path,
    lines: 0,
    records: 0,
    badLines: 0,
    firstBad: [],
    origins: [],
    error: null,
  }
  const forced = opts.origin ?? null
  const fallback = opts.defaultOrigin ?? COF_UNKNOWN_SENSOR
  const originIds = new Map<string | null, number>()
  /** the origin number of a record; null when its sensor_id cannot be a label */
  const originOf = (r: CofRecord): number | null => {
    const key = forced === null ? r.sensorId : null
    let id = originIds.get(key)
    if (id === undefined) {
      const label = forced ?? (r.sensorId === null ? fallback : cofOriginLabel(r.sensorId))
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
        if (line.trim() === '') continue
        result.lines++
        const records = parseCofLine(line)
        if (records instanceof PdnsError) {
          badLine(lineNo, records.message)
          continue
        }
        const origin = originOf(records[0]!)
        if (origin === null) {
          badLine(lineNo, 'sensor_id is too long for an origin label')
          continue
        }
        for (const r of records) {
          const id: RecordId = {
            kind: r.kind,
            rrname: r.rrname,
            rrtype: r.rrtype,
            bailiwick: r.bailiwick,
            rdata: r.rdata,
            origin,
          }
          opts.window.add(id, r.first, r.last, r.count, 'max')
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
