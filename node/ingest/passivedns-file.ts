/**
 * A gamelinux/passivedns log (default `||` lines or `-j` JSON, its NXDOMAIN log too; plain or gzip):
 * under the origin `passivedns:<hostname>` (the JSON `hostname` field; `passivedns:unknown`
 * without one). A line's count is the sightings since passivedns last logged the record, not a
 * running total: counts are added (see log-file.ts).
 */
import { importLog, type LogFormat, type LogImportOptions, type LogImportResult } from './log-file.ts'
import { parsePassivednsLine } from './passivedns-log.ts'

/** Origin prefix of passivedns records: the tool, then its host name. */
export const PASSIVEDNS_ORIGIN_PREFIX = 'passivedns'

const PASSIVEDNS: LogFormat = { prefix: PASSIVEDNS_ORIGIN_PREFIX, parseLine: parsePassivednsLine }

export function importPassivedns(path: string, opts: LogImportOptions): Promise<LogImportResult> {
  return importLog(path, PASSIVEDNS, opts)
}
