/**
 * Client side of a streamed answer (record-writer.ts): yields the records, returns the `$end` line,
 * and throws when the node ended with `$error` or the stream stopped before its end line.
 */
import type { IncomingMessage } from 'node:http'
import { PdnsError } from '../errors.ts'
import type { ResultRecord } from '../query/types.ts'
import { answerError } from './http-client.ts'
import { MAX_RESPONSE_LINE_BYTES } from './limits.ts'

export interface StreamEnd {
  $end: number
  [field: string]: unknown
}

function looksLikeRecord(v: unknown): v is ResultRecord {
  if (typeof v !== 'object' || v === null) return false
  const r = v as Record<string, unknown>
  return typeof r.kind === 'string' && typeof r.rrname === 'string' && Array.isArray(r.vantages)
}

export async function* readRecords(
  res: IncomingMessage,
  socketPath: string,
): AsyncGenerator<ResultRecord, StreamEnd> {
  const wrong = (what: string) => new PdnsError('ERR_NODE_UNREACHABLE', `node at ${socketPath}: ${what}`)
  res.setEncoding('utf8')
  let pending = ''
  let n = 0
  let end: StreamEnd | null = null
  for await (const chunk of res as AsyncIterable<string>) {
    pending += chunk
    let start = 0
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n', start)) {
      const line = pending.slice(start, nl)
      start = nl + 1
      if (end !== null) throw wrong('data after the end of its answer')
      let v: unknown
      try {
        v = JSON.parse(line)
      } catch {
        throw wrong('a line of its answer is not JSON')
      }
      if (looksLikeRecord(v)) {
        n++
        yield v
      } else if (typeof v === 'object' && v !== null && '$error' in v) {
        throw answerError(v.$error, 200, socketPath)
      } else if (typeof v === 'object' && v !== null && '$end' in v && v.$end === n) {
        end = v as StreamEnd
      } else {
        throw wrong('a line of its answer is neither a record nor its end')
      }
    }
    pending = pending.slice(start)
    if (pending.length > MAX_RESPONSE_LINE_BYTES) throw wrong(`a line over ${MAX_RESPONSE_LINE_BYTES} bytes`)
  }
  if (end === null || pending !== '') throw wrong('its answer was cut short')
  return end
}
