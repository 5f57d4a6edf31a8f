/**
 * Ingestion: where every source of records meets the recorder and the aggregation window before the
 * store. Live capture and capture files (through the sensor), dnstap (live and files), COF files
 * and the logs of other sensors come in here; peers' signed summaries are merged by the mesh
 * (`node/mesh/feeds.ts`), which writes them with their feed heads in one batch.
 */

export { type CaptureImportOptions, type CaptureImportResult, importCapture } from './capture-file.ts'
export { COF_UNKNOWN_SENSOR, type CofRecord, parseCofLine } from './cof.ts'
export {
  BAD_LINES_LISTED,
  type CofImportOptions,
  type CofImportResult,
  cofOriginLabel,
  importCof,
} from './cof-file.ts'
export { detectImportKind, type ImportKind } from './detect.ts'
export { type DnstapImportOptions, type DnstapImportResult, importDnstap } from './dnstap-file.ts'
export { parseEveLine } from './eve.ts'
export { EVE_ORIGIN_PREFIX, importEve } from './eve-file.ts'
export {
  checkImportRequest,
  detectImportKinds,
  type ImportEvent,
  type ImportJobComponents,
  type ImportJobOptions,
  type ImportOutcome,
  type ImportRequest,
  runImportJob,
} from './import-job.ts'
export { IMPORT_SOURCES, type ImportSource, type SourceContext, type SourceResult } from './import-sources.ts'
export { addRecorderCounts, type FileReport, type ImportSummary, summarizeImport } from './import-summary.ts'
export type { LineImportResult } from './line-import.ts'
export {
  importLog,
  type LogFormat,
  type LogImportOptions,
  type LogImportResult,
  logOriginLabel,
} from './log-file.ts'
export type { LogLine, LogLineResult, LogRecord } from './log-record.ts'
export { importPassivedns, PASSIVEDNS_ORIGIN_PREFIX } from './passivedns-file.ts'
export { parsePassivednsLine } from './passivedns-log.ts'
export { type LineBatch, type ReadLinesOptions, readLines } from './read-lines.ts'
export { Recorder, type RecorderComponents } from './recorder.ts'
export {
  isLocalLabel,
  isPeersLabel,
  SensorOrigins,
  type SensorOriginsComponents,
  sensorLabel,
  UNNAMED_DNSTAP_SENSOR,
} from './sensor-origins.ts'
export { AggregationWindow, type WindowComponents, type WindowOptions, type WindowStats } from './window.ts'
