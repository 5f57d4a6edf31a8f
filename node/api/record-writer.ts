/**
 * Node side of a streamed answer (a page, an export): NDJSON, one ResultRecord per line, then one
 * closing line — `{"$end": N, ...}` when complete, `{"$error": {code, message}}` when it had to stop.
 * A client that sees neither knows the answer was cut short.
 *
 * Writes wait for the client (backpressure): a client that stops reading holds no more than a
 * socket buffer and one batch of memory, and after RESPONSE_STALL_TIMEOUT_MS it is disconnected.
 */
import type { ServerResponse } from 'node:http'
import type { ResultRecord } from '../query/types.ts'
import type { ErrorBody } from './types.ts'

/** Characters gathered before one write: fewer syscalls than a write per record, little memory. */
const BATCH_CHARS = 64 * 1024

export type StreamOutcome = 'complete' | 'client-gone' | 'stalled' | 'stopped' | 'failed'

export interface StreamOptions {
  /** aborted when the client went away or the node stops (its reason says which: see StopReason) */
  signal: AbortSignal
  stallTimeoutMs: number
  /** extra fields of the `$end` line (a page's cursor) */
  trailer?: Record<string, unknown>
  /** the `$error` line for an error thrown while records were read */
  describe: (err: unknown) => ErrorBody
  /** the `$error` line when the node stops mid-answer */
  stopping: ErrorBody
}

export async function writeRecords(
  res: ServerResponse,
  records: Iterable<ResultRecord> | AsyncIterable<ResultRecord>,
  opts: StreamOptions,
): Promise<{ outcome: StreamOutcome; records: number }> {
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' })
  let n = 0
  let batch = ''
  const finish = (line: unknown, outcome: StreamOutcome) => {
    res.end(`${batch}${JSON.stringify(line)}\n`)
    return { outcome, records: n }
  }
  try {
    for await (const r of records) {
      if (opts.signal.aborted) break
      batch += `${JSON.stringify(r)}\n`
      n++
      if (batch.length >= BATCH_CHARS) {
        const ok = res.write(batch)
        batch = ''
        if (!ok) {
          const state = await drained(res, opts.signal, opts.stallTimeoutMs)
          if (state === 'closed') return { outcome: 'client-gone', records: n }
          if (state === 'stalled') {
            res.destroy()
            return { outcome: 'stalled', records: n }
          }
        }
      }
    }
  } catch (err) {
    // an abort surfaces as ERR_ABORTED from the backend: handled below with the other aborts
    if (!opts.signal.aborted) {
      if (res.destroyed) return { outcome: 'client-gone', records: n }
      return finish({ $error: opts.describe(err) }, 'failed')
    }
  }
  if (res.destroyed) return { outcome: 'client-gone', records: n }
  if (opts.signal.aborted) {
    if (opts.signal.reason === STOPPING) return finish({ $error: opts.stopping }, 'stopped')
    return { outcome: 'client-gone', records: n }
  }
  return finish({ $end: n, ...opts.trailer }, 'complete')
}

/** The abort reason of a request's signal when the node stops (any other reason: the client went away). */
export const STOPPING = 'node stopping'

type DrainState = 'drained' | 'closed' | 'stalled' | 'aborted'

/** Waits until `res` can take more, its client went away, the signal fired, or the client stalled. */
function drained(res: ServerResponse, signal: AbortSignal, timeoutMs: number): Promise<DrainState> {
  return new Promise((resolve) => {
    const done = (state: DrainState) => {
      clearTimeout(timer)
      res.off('drain', onDrain)
      res.off('close', onClose)
      signal.removeEventListener('abort', onAbort)
      resolve(state)
    }
    const onDrain = () => done('drained')
    const onClose = () => done('closed')
    const onAbort = () => done('aborted')
    const timer = setTimeout(() => done('stalled'), timeoutMs)
    res.on('drain', onDrain)
    res.on('close', onClose)
    signal.addEventListener('abort', onAbort)
    if (signal.aborted) onAbort()
  })
}
