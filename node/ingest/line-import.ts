/**
 * The loop every line-oriented import shares (COF, Suricata EVE, passivedns): lines streamed from
 * the file (plain or gzip), blank ones skipped, over-long and invalid ones counted and the first few
 * listed by number, progress reported, and a read error (unreadable, damaged gzip, aborted) kept as
 * the result's error with everything before it imported. Origins are named per sensor, once each.
 */
import { isPdnsError, type PdnsError } from '../errors.ts'
import { isLabel } from '../store/labels.ts'
import type { Store } from '../store/store.ts'
import { BAD_LINES_LISTED } from './limits.ts'
import { readLines } from './read-lines.ts'

export { BAD_LINES_LISTED }

/** What a line-oriented import reports. */
export interface LineImportResult {
  file: string
  /** non-blank lines (and not comments, where the format has them) */
  lines: number
  /** records handed to the window */
  records: number
  badLines: number
  /** the first BAD_LINES_LISTED bad lines with their reason */
  firstBad: { line: number; reason: string }[]
  /** origin labels the records went to */
  origins: string[]
  /** why the file ended early (unreadable, damaged gzip, ERR_ABORTED); the lines before are imported */
  error: PdnsError | null
}

export interface LineLoopOptions {
  signal?: AbortSignal
  /** file bytes read, file size, lines so far */
  onProgress?: (bytesRead: number, totalBytes: number, lines: number) => void
  /** skip lines starting with '#' (passivedns log headers) instead of reading them */
  comments?: boolean
}

export function emptyResult(file: string): LineImportResult {
  return { file, lines: 0, records: 0, badLines: 0, firstBad: [], origins: [], error: null }
}

/** Counts a bad line, listing the first few. */
export function badLine(result: LineImportResult, line: number, reason: string): void {
  result.badLines++
  if (result.firstBad.length < BAD_LINES_LISTED) result.firstBad.push({ line, reason })
}

/**
 * The store origin of a sensor (null: none named), resolved once per sensor and listed in the
 * result; null when its label cannot be an origin label (too long).
 */
export function originResolver(
  store: Store,
  result: LineImportResult,
  labelOf: (sensor: string | null) => string,
): (sensor: string | null) => number | null {
  const ids = new Map<string | null, number>()
  return (sensor) => {
    let id = ids.get(sensor)
    if (id === undefined) {
      const label = labelOf(sensor)
      if (!isLabel(label)) return null
      id = store.originId(label)
      ids.set(sensor, id)
      if (!result.origins.includes(label)) result.origins.push(label)
    }
    return id
  }
}

/** Every line of the file through `onLine`, which returns why a line is bad, or null. */
export async function eachLine(
  path: string,
  result: LineImportResult,
  opts: LineLoopOptions,
  onLine: (line: string) => string | null,
): Promise<void> {
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
          badLine(result, lineNo, 'line too long')
          continue
        }
        const trimmed = line.trim()
        if (trimmed === '' || (opts.comments === true && trimmed.startsWith('#'))) continue
        result.lines++
        const reason = onLine(line)
        if (reason !== null) badLine(result, lineNo, reason)
      }
      opts.onProgress?.(done, total, result.lines)
    }
  } catch (err) {
    if (!isPdnsError(err) || err.code.startsWith('ERR_DB_')) throw err
    result.error = err
  }
}
