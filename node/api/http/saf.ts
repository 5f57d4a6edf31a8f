/**
 * DNSDB API v2's "SAF" framing: `{"cond":"begin"}`, one `{"obj":{COF}}` per record, then exactly one
 * final condition: `succeeded`, `limited` (the result or time bound was reached: the answer is true
 * but incomplete) or `failed` (an error after the head was sent). A client that sees no final
 * condition (a cut connection) knows the answer was truncated.
 */
import type { Readable } from 'node:stream'
import { isoTime } from '../../query/format/json.ts'
import type { ResultRecord } from '../../query/types.ts'
import { wholeOrStream } from './body.ts'
import { ANSWER_CHUNK_CHARS } from './limits.ts'
import type { PagedEnd, RecordPages } from './paged.ts'

export type StreamEnd = PagedEnd | 'failed'

/** A record as DNSDB's `obj`: COF with the record's vantages as sensor_id (one) or vantages (several). */
export function dnsdbObject(r: ResultRecord, humantime: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {
    count: r.count,
    time_first: humantime ? isoTime(r.first) : r.first,
    time_last: humantime ? isoTime(r.last) : r.last,
    rrname: r.rrname,
    rrtype: r.rrtype,
  }
  if (r.bailiwick !== null) o.bailiwick = r.bailiwick
  o.rdata = [r.rdata]
  if (r.vantages.length === 1) o.sensor_id = r.vantages[0]!.origin
  else if (r.vantages.length > 1) o.vantages = r.vantages.map((v) => v.origin)
  return o
}

export const LIMITED_MESSAGE: Record<Exclude<PagedEnd, 'complete'>, string> = {
  limit: 'Result limit reached',
  budget: 'Query time limit reached (the answer is incomplete: narrow the query or page with offset)',
}

/**
 * The SAF answer: one buffer when short, else a byte stream pulled by the response, so a page is
 * fetched only when the socket has taken the previous one (body.ts). `describe` turns an error into
 * the `failed` message.
 */
export function safBody(
  lines: AsyncGenerator<readonly string[], PagedEnd>,
  describe: (err: unknown) => string,
  onEnd: (end: StreamEnd | 'client-gone', records: number) => void,
): Promise<Buffer | Readable> {
  async function* gen(): AsyncGenerator<string> {
    let n = 0
    let done = false
    let buf = '{"cond":"begin"}\n'
    try {
      for (;;) {
        const step = await lines.next()
        if (step.done === true) {
          const end = step.value
          buf +=
            end === 'complete'
              ? '{"cond":"succeeded"}\n'
              : `${JSON.stringify({ cond: 'limited', msg: LIMITED_MESSAGE[end] })}\n`
          done = true
          onEnd(end, n)
          break
        }
        for (const line of step.value) {
          buf += line
          n++
          if (buf.length >= ANSWER_CHUNK_CHARS) {
            yield buf
            buf = ''
          }
        }
      }
    } catch (err) {
      buf += `${JSON.stringify({ cond: 'failed', msg: describe(err) })}\n`
      done = true
      onEnd('failed', n)
    } finally {
      // the response stopped pulling before the end: the client went away
      if (!done) {
        await lines.return?.('complete').catch(() => {})
        onEnd('client-gone', n)
      }
    }
    yield buf
  }
  return wholeOrStream(gen())
}

/** Records as SAF `obj` lines, a page at a time. */
export async function* safObjects(
  pages: RecordPages,
  humantime: boolean,
): AsyncGenerator<readonly string[], PagedEnd> {
  try {
    for (;;) {
      const step = await pages.next()
      if (step.done === true) return step.value
      yield step.value.map((r) => `${JSON.stringify({ obj: dnsdbObject(r, humantime) })}\n`)
    }
  } finally {
    // stopped early (the client went away): the pages stop too (a no-op once they ended)
    await pages.return('complete')
  }
}
