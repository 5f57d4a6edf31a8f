/** A capture file (pcap, pcapng, gzip of either) through the sensor pipeline, exactly the path live capture takes. */
import type { CaptureFileInfo } from '../capture/index.ts'
import { isPdnsError, type PdnsError } from '../errors.ts'
import { Sensor, type SensorOptions, type SensorStats } from '../sensor/index.ts'
import type { Store } from '../store/store.ts'
import { Recorder } from './recorder.ts'
import type { AggregationWindow } from './window.ts'

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
