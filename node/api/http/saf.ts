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

const q = JSON.stringify

/**
 * A record as DNSDB's `obj` line: COF with the record's vantages as sensor_id (one) or vantages
 * (several), newline-terminated. Written out field by field rather than as an object given to
 * JSON.stringify: the same bytes (strings still escaped by JSON.stringify), without an object and
 * an array per record, on the path of every short answer.
 */
export function safLine(r: ResultRecord, humantime: boolean): string {
  let line = `{"obj":{"count":${r.count},"time_first":${humantime ? q(isoTime(r.first)) : r.first},"time_last":${humantime ? q(isoTime(r.last)) : r.last},"rrname":${q(r.rrname)},"rrtype":${q(r.rrtype)}`
  if (r.bailiwick !== null) line += `,"bailiwick":${q(r.bailiwick)}`
  line += `,"rdata":[${q(r.rdata)}]`
  const vs = r.vantages
  if (vs.length === 1) line += `,"sensor_id":${q(vs[0]!.origin)}`
  else if (vs.length > 1) line += `,"vantages":${q(vs.map((v) => v.origin))}`
  return `${line}}}\n`
}

export const SAF_BEGIN = '{"cond":"begin"}\n'

/** The final condition of an answer that ran to its end or to a bound. */
export function safEndLine(end: PagedEnd): string {
  return end === 'complete'
    ? '{"cond":"succeeded"}\n'
    : `${JSON.stringify({ cond: 'limited', msg: LIMITED_MESSAGE[end] })}\n`
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
  /** what the answer starts with (safRecords: the begin line and the records gathered so far) */
  head = SAF_BEGIN,
  /** records in `head` */
  counted = 0,
): Promise<Buffer | Readable> {
  async function* gen(): AsyncGenerator<string> {
    let n = counted
    let done = false
    let buf = head
    try {
      for (;;) {
        const step = await lines.next()
        if (step.done === true) {
          const end = step.value
          buf += safEndLine(end)
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
      buf += safFailedLine(describe(err))
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

function safFailedLine(msg: string): string {
  return `${JSON.stringify({ cond: 'failed', msg })}\n`
}

/**
 * A lookup's SAF answer from its pages (`first`: the page already fetched, so that a bad query failed
 * before the head). A short answer (under ANSWER_CHUNK_CHARS: nearly every lookup) is gathered in one
 * loop and sent as one buffer; only once it grows past that does the rest go through the streamed
 * path of safBody. Four async generators stacked per answer (pages, replay, lines, chunks) cost a
 * ten-record answer about as much as encoding it.
 */
export async function safRecords(
  first: IteratorResult<readonly ResultRecord[], PagedEnd>,
  pages: RecordPages,
  humantime: boolean,
  describe: (err: unknown) => string,
  onEnd: (end: StreamEnd | 'client-gone', records: number) => void,
): Promise<Buffer | Readable> {
  let buf = SAF_BEGIN
  let n = 0
  let step = first
  for (;;) {
    if (step.done === true) {
      buf += safEndLine(step.value)
      onEnd(step.value, n)
      return Buffer.from(buf)
    }
    for (const r of step.value) buf += safLine(r, humantime)
    n += step.value.length
    if (buf.length >= ANSWER_CHUNK_CHARS)
      return safBody(safObjects(pages, humantime), describe, onEnd, buf, n)
    try {
      step = await pages.next()
    } catch (err) {
      buf += safFailedLine(describe(err))
      onEnd('failed', n)
      return Buffer.from(buf)
    }
  }
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
      yield step.value.map((r) => safLine(r, humantime))
    }
  } finally {
    // stopped early (the client went away): the pages stop too (a no-op once they ended)
    await pages.return('complete')
  }
}
