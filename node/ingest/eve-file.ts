/**
 * A Suricata EVE JSON file (eve.json, plain or gzip): its dns answers under the origin
 * `suricata:<host>` (the event's `host`, Suricata's sensor-name; `suricata:unknown` without one).
 * Every answer event is one sighting: counts are added (see log-file.ts).
 */
import { parseEveLine } from './eve.ts'
import { importLog, type LogFormat, type LogImportOptions, type LogImportResult } from './log-file.ts'

/** Origin prefix of EVE records: the tool, then its sensor name. */
export const EVE_ORIGIN_PREFIX = 'suricata'

const EVE: LogFormat = { prefix: EVE_ORIGIN_PREFIX, parseLine: parseEveLine }

export function importEve(path: string, opts: LogImportOptions): Promise<LogImportResult> {
  return importLog(path, EVE, opts)
}
