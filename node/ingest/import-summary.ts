/**
 * What an import did, as one object: the same whether the CLI imported into a stopped data
 * directory or a running node did the work (the CLI prints it as text, or as JSON with
 * --summary-json). Each import source adds its own counts (import-sources.ts).
 */
import type { CaptureImportResult } from './capture-file.ts'
import type { CofImportResult } from './cof-file.ts'
import type { ImportKind } from './detect.ts'
import type { DnstapImportResult } from './dnstap-file.ts'
import { IMPORT_SOURCES } from './import-sources.ts'
import type { LogImportResult } from './log-file.ts'

/** One file's outcome: its kind, and the result of that kind's reader. */
export interface FileReport {
  file: string
  kind: ImportKind
  capture?: CaptureImportResult
  cof?: CofImportResult
  dnstap?: DnstapImportResult
  /** Suricata EVE and passivedns logs */
  log?: LogImportResult
}

export interface ImportSummary {
  dataDir: string
  files: number
  captures: number
  cofFiles: number
  dnstapFiles: number
  /** dnstap data frames (messages) read */
  dnstapFrames: number
  frames: number
  observations: number
  cofLines: number
  badLines: number
  /** Suricata EVE and passivedns files, their non-blank lines and bad lines */
  logFiles: number
  logLines: number
  logBadLines: number
  /** observations and COF records handed to the store (they combine into records) */
  records: number
  inserted: number
  updated: number
  unchanged: number
  /** observations (and log answers) not stored, by reason (class, type, name; query, partial:MX…) */
  skipped: Record<string, number>
  seconds: number
  interrupted: boolean
}

/** Adds a Recorder's counters (`records`, `skipped.<reason>`) to a summary. */
export function addRecorderCounts(s: ImportSummary, counters: Record<string, number>): void {
  for (const [k, v] of Object.entries(counters)) {
    if (k === 'records') s.records += v
    else {
      const reason = k.replace(/^skipped\./, '')
      s.skipped[reason] = (s.skipped[reason] ?? 0) + v
    }
  }
}

export function summarizeImport(
  dataDir: string,
  reports: readonly FileReport[],
  written: { inserted: number; updated: number; unchanged: number },
  seconds: number,
  interrupted: boolean,
): ImportSummary {
  const s: ImportSummary = {
    dataDir,
    files: reports.length,
    captures: 0,
    cofFiles: 0,
    dnstapFiles: 0,
    dnstapFrames: 0,
    frames: 0,
    observations: 0,
    cofLines: 0,
    badLines: 0,
    logFiles: 0,
    logLines: 0,
    logBadLines: 0,
    records: 0,
    inserted: written.inserted,
    updated: written.updated,
    unchanged: written.unchanged,
    skipped: {},
    seconds,
    interrupted,
  }
  for (const r of reports) IMPORT_SOURCES[r.kind].tally(r, s)
  return s
}
