/**
 * A COF NDJSON file exported by another passive DNS server (or by `pdns-mesh export`). A COF record
 * is a copy of a sensor's cumulative counter: merged with 'max', so importing a file twice changes
 * nothing.
 */
import { PdnsError } from '../errors.ts'
import type { RecordId } from '../store/keys.ts'
import type { Store } from '../store/store.ts'
import { COF_UNKNOWN_SENSOR, parseCofLine } from './cof.ts'
import { eachLine, emptyResult, type LineImportResult, originResolver } from './line-import.ts'
import type { AggregationWindow } from './window.ts'

export { BAD_LINES_LISTED } from './line-import.ts'

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

/** A line with several rdata gives several records. */
export type CofImportResult = LineImportResult

/** The origin label of a COF sensor: `cof:<sensor_id>`, so no file can speak as a mesh peer. */
export function cofOriginLabel(sensorId: string): string {
  return sensorId.startsWith('cof:') ? sensorId : `cof:${sensorId}`
}

export async function importCof(path: string, opts: CofImportOptions): Promise<CofImportResult> {
  const result: CofImportResult = emptyResult(path)
  const forced = opts.origin ?? null
  const fallback = opts.defaultOrigin ?? COF_UNKNOWN_SENSOR
  // with --origin every sensor_id maps to the one forced label
  const originOf = originResolver(
    opts.store,
    result,
    (sensorId) => forced ?? (sensorId === null ? fallback : cofOriginLabel(sensorId)),
  )
  await eachLine(path, result, opts, (line) => {
    const records = parseCofLine(line)
    if (records instanceof PdnsError) return records.message
    const origin = originOf(forced === null ? records[0]!.sensorId : null)
    if (origin === null) return 'sensor_id is too long for an origin label'
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
    return null
  })
  return result
}
