/**
 * DNSDB API v2's "SAF" framing: `{"cond":"begin"}`, one `{"obj":{COF}}` per record, then exactly one
 * final condition: `succeeded`, `limited` (the result or time bound was reached: the answer is true
 * but incomplete) or `failed` (an error after the head was sent). A client that sees no final
 * condition (a cut connection) knows the answer was truncated.
 */
import type { Readable } from 'node:stream'
import { isoTime } from '../../query/format/json.ts'
import type { ResultRecord } from '../../query/types.ts'
import { type AnswerEnd, type NdjsonFraming, ndjsonBody } from './body.ts'
import { ANSWER_CHUNK_CHARS } from './limits.ts'
import type { PagedEnd, RecordPages } from './paged.ts'

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
 * The SAF answer from pages of ready lines (DNSDB's summarize): one buffer when short, else a byte
 * stream pulled by the response, so a page is fetched only when the socket has taken the previous
 * one (body.ts). `describe` turns an error into the `failed` message.
 */
export function safBody(
  lines: AsyncGenerator<readonly string[], PagedEnd>,
  describe: (err: unknown) => string,
  onEnd: (end: AnswerEnd, records: number) => void,
): Promise<Buffer | Readable> {
  return ndjsonBody(
    null,
    lines,
    safFraming(SAF_BEGIN, 0, (line: string) => line, describe),
    onEnd,
  )
}

function safFraming<T>(
  head: string,
  counted: number,
  line: (item: T) => string,
  describe: (err: unknown) => string,
): NdjsonFraming<T> {
  return { head, counted, line, endLine: safEndLine, failedLine: (err) => safFailedLine(describe(err)) }
}

function safFailedLine(msg: string): string {
  return `${JSON.stringify({ cond: 'failed', msg })}\n`
}

/**
 * A lookup's SAF answer from its pages (`first`: the page already fetched, so that a bad query failed
 * before the head). A short answer (under ANSWER_CHUNK_CHARS: nearly every lookup) is gathered in one
 * loop and sent as one buffer; only once it grows past that does the rest go through the streamed
 * path of ndjsonBody (body.ts). Four async generators stacked per answer (pages, replay, lines,
 * chunks) cost a ten-record answer about as much as encoding it.
 */
export async function safRecords(
  first: IteratorResult<readonly ResultRecord[], PagedEnd>,
  pages: RecordPages,
  humantime: boolean,
  describe: (err: unknown) => string,
  onEnd: (end: AnswerEnd, records: number) => void,
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
    if (buf.length >= ANSWER_CHUNK_CHARS) {
      const line = (r: ResultRecord) => safLine(r, humantime)
      return ndjsonBody(null, pages, safFraming(buf, n, line, describe), onEnd)
    }
    try {
      step = await pages.next()
    } catch (err) {
      buf += safFailedLine(describe(err))
      onEnd('failed', n)
      return Buffer.from(buf)
    }
  }
}
