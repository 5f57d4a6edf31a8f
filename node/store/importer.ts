/**
 * Bulk import into the store: capture files through the sensor pipeline (Sensor → Recorder →
 * AggregationWindow, exactly the path live capture takes), dnstap files through the dnstap ingest
 * (the same DnsParser, as the live dnstap server), and COF NDJSON exported by another passive DNS
 * server (or by `pdns-mesh export`). Which one a file is comes from its content.
 *
 * Counts are owned by their origin: captures and dnstap files add to the local origin's counts ('add'); a COF record is
 * a copy of another sensor's cumulative counter and is merged with 'max', so importing the same file
 * twice changes nothing.
 */
import { open } from 'node:fs/promises'
import { gunzipSync, constants as zlibConstants } from 'node:zlib'
import { detectFormat } from '../capture/formats/index.ts'
import type { CaptureFileInfo } from '../capture/index.ts'
import {
  contentTypeError,
  DNSTAP_CONTENT_TYPE,
  type DnstapFileInfo,
  DnstapIngest,
  type DnstapIngestStats,
  readDnstapFile,
  sniffFrameStreams,
} from '../dnstap/index.ts'
import { isPdnsError, PdnsError } from '../errors.ts'
import { Sensor, type SensorOptions, type SensorStats } from '../sensor/index.ts'
import { COF_UNKNOWN_SENSOR, type CofRecord, isLabel, parseCofLine, readLines } from './cof.ts'
import type { RecordId } from './keys.ts'
import { Recorder } from './recorder.ts'
import type { Store } from './store.ts'
import type { AggregationWindow } from './window.ts'

/** Bytes read from the start of a file to tell captures, dnstap and COF apart. */
const SNIFF_BYTES = 64 * 1024
/** Bad COF lines listed by number (all are counted). */
export const BAD_LINES_LISTED = 5

export { COF_UNKNOWN_SENSOR }

export type ImportKind = 'capture' | 'cof' | 'dnstap'

/**
 * Whether a file is a capture (pcap, pcapng, gzip of either), a dnstap file (Frame Streams: the
 * zero escape and a START control frame; gzip too) or COF NDJSON (its first non-blank character is
 * `{`; gzip too). An empty file is an empty COF export. Throws ERR_FILE_UNREADABLE,
 * ERR_UNKNOWN_FORMAT, or ERR_DNSTAP_PROTOCOL for a Frame Streams file of another content type.
 */
export async function detectImportKind(path: string): Promise<ImportKind> {
  let head: Buffer
  try {
    const fh = await open(path, 'r')
    try {
      head = Buffer.alloc(SNIFF_BYTES)
      const { bytesRead } = await fh.read(head, 0, SNIFF_BYTES, 0)
      head = head.subarray(0, bytesRead)
    } finally {
      await fh.close()
    }
  } catch (err) {
    throw new PdnsError('ERR_FILE_UNREADABLE', `${path}: cannot open: ${(err as Error).message}`, {
      cause: err,
    })
  }
  let content = head
  let gz = ''
  if (detectFormat(head) === 'gzip') {
    gz = 'gzip-compressed '
    try {
      // what the first bytes inflate to; a cut-off stream is expected here
      content = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH })
    } catch (err) {
      throw new PdnsError('ERR_UNKNOWN_FORMAT', `${path}: damaged gzip data: ${(err as Error).message}`, {
        cause: err,
      })
    }
  }
  const format = detectFormat(content)
  if (format === 'pcap' || format === 'pcapng') return 'capture'
  const fstrm = sniffFrameStreams(content)
  if (fstrm !== null) {
    if (fstrm.contentType !== DNSTAP_CONTENT_TYPE) throw contentTypeError(path, fstrm.contentType)
    return 'dnstap'
  }
  const text = content.toString('latin1', 0, Math.min(content.length, 4096))
  const first = text.replace(/^(\xef\xbb\xbf)?\s*/, '')
  if (first === '' || first.startsWith('{')) return 'cof'
  const hex = [...content.subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ')
  throw new PdnsError(
    'ERR_UNKNOWN_FORMAT',
    `${path}: ${gz}content is neither a capture (pcap, pcapng) nor COF NDJSON (first bytes: ${hex})`,
  )
}

// ---------------------------------------------------------------- captures

export interface CaptureImportOptions {
  store: Store
  window: AggregationWindow
  /** origin label the observations are recorded as (the node's peer id) */
  origin: string
  sensorOptions: SensorOptions
  signal?: AbortSignal
  /** file bytes read, file size, frames so far */
  onProgress?: (bytesRead: number, totalBytes: number, frames: number) => void
}

export interface CaptureImportResult {
  file: string
  /** null when the file failed before its first frame */
  info: CaptureFileInfo | null
  sensor: SensorStats
  /** `records` taken into the window, `skipped.*` by reason */
  recorder: Record<string, number>
  /**
   * Why the file ended early (damaged, unreadable, ERR_ABORTED); what was read before is recorded.
   * Errors of the store (ERR_DB_*) are thrown instead.
   */
  error: PdnsError | null
}

export async function importCapture(path: string, opts: CaptureImportOptions): Promise<CaptureImportResult> {
  const recorder = new Recorder({ window: opts.window }, opts.store.originId(opts.origin))
  const sensor = new Sensor(opts.sensorOptions, recorder.observe)
  let info: CaptureFileInfo | null = null
  let error: PdnsError | null = null
  try {
    info = await sensor.ingestFile(path, {
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      onProgress: (done, total) => opts.onProgress?.(done, total, sensor.frames),
    })
  } catch (err) {
    if (!isPdnsError(err) || err.code.startsWith('ERR_DB_')) throw err
    error = err
  }
  // leftovers of TCP and fragment reassembly are observations too
  sensor.flush()
  return { file: path, info, sensor: sensor.stats(), recorder: recorder.counters.toJSON(), error }
}

// ---------------------------------------------------------------- dnstap

export interface DnstapImportOptions {
  store: Store
  window: AggregationWindow
  /** origin label every message is recorded as, whatever its dnstap identity (the node's peer id) */
  origin: string
  /** dnstap Message.Type names whose responses are recorded (default CLIENT_RESPONSE, RESOLVER_RESPONSE) */
  messageTypes?: readonly string[]
  clientAddresses?: boolean
  signal?: AbortSignal
  /** file bytes read, file size, frames so far */
  onProgress?: (bytesRead: number, totalBytes: number, frames: number) => void
}

export interface DnstapImportResult {
  file: string
  /** null when the file failed before its START frame was read through */
  info: DnstapFileInfo | null
  ingest: DnstapIngestStats
  /** `records` taken into the window, `skipped.*` by reason */
  recorder: Record<string, number>
  /** why the file ended early (damaged, unreadable, ERR_ABORTED); what was read before is recorded */
  error: PdnsError | null
}

export async function importDnstap(path: string, opts: DnstapImportOptions): Promise<DnstapImportResult> {
  const recorder = new Recorder({ window: opts.window }, opts.store.originId(opts.origin))
  // like a capture, a file is this node's own observation: every identity goes to the one origin
  const ingest = new DnstapIngest(
    { sinkFor: () => recorder.observe },
    {
      ...(opts.messageTypes === undefined ? {} : { messageTypes: opts.messageTypes }),
      clientAddresses: opts.clientAddresses ?? false,
    },
  )
  let info: DnstapFileInfo | null = null
  let error: PdnsError | null = null
  try {
    info = await readDnstapFile(path, ingest.frame, {
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      onProgress: (done, total) => opts.onProgress?.(done, total, ingest.frames),
    })
  } catch (err) {
    if (!isPdnsError(err) || err.code.startsWith('ERR_DB_')) throw err
    error = err
  }
  return { file: path, info, ingest: ingest.stats(), recorder: recorder.counters.toJSON(), error }
}

// ---------------------------------------------------------------- COF

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
