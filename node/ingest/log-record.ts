/**
 * What one line of another sensor's log (Suricata EVE, passivedns) gives: records in the store's
 * form, or the reasons it gave none. A line that is not of the format at all is an ERR_BAD_RECORD
 * error instead; a line of the format that holds nothing to store (a query, another event type, an
 * answer the tool logged only in part) is skipped and counted by reason, never reported as bad.
 */
import type { PdnsError } from '../errors.ts'
import type { RecordKind } from '../store/keys.ts'

export interface LogRecord {
  kind: RecordKind
  /** presentation form, as the parser writes it */
  rrname: string
  rrtype: number
  /** presentation form; '' for negative answers */
  rdata: string
  /** epoch seconds of the sighting (passivedns: the last of the sightings the line counts) */
  time: number
  /** sightings the line stands for */
  count: number
  /** the TTL the tool logged, or null */
  ttl: number | null
}

export interface LogLine {
  records: LogRecord[]
  /** why answers of this line were not stored, by reason (a query, an answer logged in part…) */
  skipped: string[]
  /** the sensor the line names (EVE `host`, passivedns `hostname`), or null */
  sensor: string | null
}

/** The result of parsing one line: what it gives, or why it is not a line of the format. */
export type LogLineResult = LogLine | PdnsError

/** A line that stores nothing, for one reason. */
export function skippedLine(reason: string, sensor: string | null = null): LogLine {
  return { records: [], skipped: [reason], sensor }
}
