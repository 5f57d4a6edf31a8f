/**
 * What each kind of import file is read with: one entry per ImportKind (detect.ts), so a new source
 * is one entry here and its reader. The import job (import-job.ts) dispatches through this table
 * alone, whether the CLI imports into a stopped data directory or a running node does.
 */
import type { PdnsError } from '../errors.ts'
import type { Store } from '../store/store.ts'
import { importCapture } from './capture-file.ts'
import { importCof } from './cof-file.ts'
import type { ImportKind } from './detect.ts'
import { importDnstap } from './dnstap-file.ts'
import { importEve } from './eve-file.ts'
import { addRecorderCounts, type FileReport, type ImportSummary } from './import-summary.ts'
import type { LineImportResult } from './line-import.ts'
import type { LogImportOptions, LogImportResult } from './log-file.ts'
import { importPassivedns } from './passivedns-file.ts'
import type { AggregationWindow } from './window.ts'

/** What a source reads one file with. */
export interface SourceContext {
  store: Store
  window: AggregationWindow
  /** the origin of this node's own observations (captures, dnstap): --origin, else the node's peer id */
  localOrigin: string
  /** --origin: every record's origin whatever the file says, or null */
  forcedOrigin: string | null
  /** DNS ports read in captures */
  ports: ReadonlySet<number>
  /** dnstap message types whose responses are recorded; null: the ingest's default */
  dnstapTypes: readonly string[] | null
  signal?: AbortSignal
  /** file bytes read, file size, items (the source's unit) so far */
  onProgress: (bytesRead: number, totalBytes: number, items: number) => void
}

export interface SourceResult {
  report: FileReport
  /** why the file ended early (damaged, unreadable, ERR_ABORTED); what was read before is recorded */
  error: PdnsError | null
  /** problems to report although the file was read through (bad lines) */
  problems: string[]
}

export interface ImportSource {
  /** what the progress bar's items count */
  unit: string
  read(file: string, ctx: SourceContext): Promise<SourceResult>
  /** adds a file's counts to the summary */
  tally(report: FileReport, s: ImportSummary): void
}

const signalOf = (ctx: SourceContext) => (ctx.signal === undefined ? {} : { signal: ctx.signal })

/** Another sensor's log (Suricata EVE, passivedns): its origins named for the tool, counts added. */
function logSource(
  format: string,
  importer: (file: string, opts: LogImportOptions) => Promise<LogImportResult>,
  kind: ImportKind,
): ImportSource {
  return {
    unit: 'line',
    read: (file, ctx) => readLineFile(file, ctx, format, importer, (log) => ({ file, kind, log })),
    tally(r, s) {
      s.logFiles++
      s.logLines += r.log!.lines
      s.logBadLines += r.log!.badLines
      s.records += r.log!.records
      for (const [k, v] of Object.entries(r.log!.skipped)) s.skipped[k] = (s.skipped[k] ?? 0) + v
    },
  }
}

export const IMPORT_SOURCES: Record<ImportKind, ImportSource> = {
  capture: {
    unit: 'pkt',
    async read(file, ctx) {
      const capture = await importCapture(file, {
        store: ctx.store,
        window: ctx.window,
        origin: ctx.localOrigin,
        // client addresses are never formatted, let alone stored (docs/PRIVACY.md)
        sensorOptions: { ports: new Set(ctx.ports), clientAddresses: false },
        ...signalOf(ctx),
        onProgress: ctx.onProgress,
      })
      return { report: { file, kind: 'capture', capture }, error: capture.error, problems: [] }
    },
    tally(r, s) {
      s.captures++
      s.frames += r.capture!.sensor.frames
      s.observations += r.capture!.sensor.observations
      addRecorderCounts(s, r.capture!.recorder)
    },
  },
  dnstap: {
    unit: 'frame',
    async read(file, ctx) {
      const dnstap = await importDnstap(file, {
        store: ctx.store,
        window: ctx.window,
        origin: ctx.localOrigin,
        ...(ctx.dnstapTypes === null ? {} : { messageTypes: ctx.dnstapTypes }),
        clientAddresses: false,
        ...signalOf(ctx),
        onProgress: ctx.onProgress,
      })
      return { report: { file, kind: 'dnstap', dnstap }, error: dnstap.error, problems: [] }
    },
    tally(r, s) {
      s.dnstapFiles++
      s.dnstapFrames += r.dnstap!.ingest.frames
      s.observations += r.dnstap!.ingest.parser.observations
      addRecorderCounts(s, r.dnstap!.recorder)
    },
  },
  cof: {
    unit: 'line',
    read: (file, ctx) => readLineFile(file, ctx, 'COF', importCof, (cof) => ({ file, kind: 'cof', cof })),
    tally(r, s) {
      s.cofFiles++
      s.cofLines += r.cof!.lines
      s.badLines += r.cof!.badLines
      s.records += r.cof!.records
    },
  },
  eve: logSource('EVE', importEve, 'eve'),
  passivedns: logSource('passivedns', importPassivedns, 'passivedns'),
}

/** Reads a line-oriented file (COF, EVE, passivedns); its bad lines are the problems to report. */
async function readLineFile<R extends LineImportResult>(
  file: string,
  ctx: SourceContext,
  format: string,
  importer: (file: string, opts: LogImportOptions) => Promise<R>,
  report: (r: R) => FileReport,
): Promise<SourceResult> {
  const r = await importer(file, {
    store: ctx.store,
    window: ctx.window,
    origin: ctx.forcedOrigin,
    ...signalOf(ctx),
    onProgress: ctx.onProgress,
  })
  return { report: report(r), error: r.error, problems: r.badLines > 0 ? [badLinesText(r, format)] : [] }
}

function badLinesText(r: LineImportResult, format: string): string {
  const listed = r.firstBad.map((b) => `line ${b.line}: ${b.reason}`).join('; ')
  const more = r.badLines > r.firstBad.length ? `; and ${r.badLines - r.firstBad.length} more` : ''
  return `${r.file}: ${r.badLines} bad ${format} line${r.badLines === 1 ? '' : 's'} not imported (${listed}${more})`
}
