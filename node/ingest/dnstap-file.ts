/** A dnstap file (Frame Streams, gzip too) through the dnstap ingest: the same DnsParser as the live dnstap server. */
import { type DnstapFileInfo, DnstapIngest, type DnstapIngestStats, readDnstapFile } from '../dnstap/index.ts'
import { isPdnsError, type PdnsError } from '../errors.ts'
import type { Store } from '../store/store.ts'
import { Recorder } from './recorder.ts'
import type { AggregationWindow } from './window.ts'

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
