/** Output formats of query results: `table` for people, `json` with every field, `cof` for exchange. */
import { renderTable, TABLE_BLOCK_ROWS } from '../../cli/output/table.ts'
import type { NameSummary, ResultRecord } from '../types.ts'
import { recordToCof } from './cof.ts'
import { recordToJson, summaryToJson } from './json.ts'
import { RECORD_TABLE_HEADER, recordToRow, summaryToTable } from './table.ts'

export { recordToCof } from './cof.ts'
export { isoTime, recordToJson, summaryToJson, vantageToJson } from './json.ts'
export { RECORD_TABLE_HEADER, recordToRow, summaryToTable, tableTime } from './table.ts'

export const RECORD_FORMATS = ['table', 'json', 'cof'] as const
export type RecordFormat = (typeof RECORD_FORMATS)[number]

export function isRecordFormat(text: string): text is RecordFormat {
  return (RECORD_FORMATS as readonly string[]).includes(text)
}

/**
 * Turns records into output lines for `write` (which adds the newline). A table is drawn in blocks
 * of TABLE_BLOCK_ROWS rows under one header, so a long export never waits for its end; call end()
 * after the last record.
 */
export class RecordPrinter {
  readonly #format: RecordFormat
  readonly #write: (text: string) => void
  #rows: string[][] = []
  #headerDone = false

  constructor(format: RecordFormat, write: (text: string) => void) {
    this.#format = format
    this.#write = write
  }

  add(r: ResultRecord): void {
    if (this.#format === 'cof') this.#write(recordToCof(r))
    else if (this.#format === 'json') this.#write(recordToJson(r))
    else {
      this.#rows.push(recordToRow(r))
      if (this.#rows.length >= TABLE_BLOCK_ROWS) this.#flushRows()
    }
  }

  end(): void {
    this.#flushRows()
  }

  #flushRows(): void {
    if (this.#rows.length === 0) return
    this.#write(renderTable(this.#headerDone ? null : RECORD_TABLE_HEADER, this.#rows))
    this.#headerDone = true
    this.#rows = []
  }
}

/** A name summary as text: `table` or one `json` line. */
export function renderSummary(s: NameSummary, format: 'table' | 'json'): string {
  return format === 'json' ? summaryToJson(s) : summaryToTable(s)
}
