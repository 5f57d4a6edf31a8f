/**
 * The CIRCL passive DNS answer: COF NDJSON, every line newline-terminated, as PyPDNS parses it
 * strictly: rrtype a mnemonic or, for a type without one, its number (COF's rule; PyPDNS refuses
 * `TYPE65`), times and count integers, and a field without a value left out (never null). The
 * line is the CLI's COF (query/format/cof.ts); negative answers never reach it (the routes leave
 * them out).
 */
import type { Readable } from 'node:stream'
import { recordToCof } from '../../query/format/cof.ts'
import type { ResultRecord } from '../../query/types.ts'
import { wholeOrStream } from './body.ts'
import { ANSWER_CHUNK_CHARS } from './limits.ts'
import type { PagedEnd, RecordPages } from './paged.ts'

const COF_OPTIONS = { numericGenericTypes: true }

/**
 * COF lines: one buffer when short, else a byte stream pulled by the response (body.ts). COF has no
 * trailer: an error after the head destroys the stream, so the client sees a cut answer (a chunked
 * response without its end) rather than a short one that looks complete; an error before the head
 * (any error of a short answer) is an error response with its status.
 */
export function cofBody(
  /** the first page, already fetched (a bad query fails before the head); then the rest from `records` */
  first: IteratorResult<readonly ResultRecord[], PagedEnd>,
  /** null: `first` is the whole answer (a dribble page, read before its cursor header) */
  records: RecordPages | null,
  onEnd: (end: PagedEnd | 'failed' | 'client-gone', records: number, err?: unknown) => void,
): Promise<Buffer | Readable> {
  async function* gen(): AsyncGenerator<string> {
    let n = 0
    let done = false
    let buf = ''
    try {
      const complete = { done: true, value: 'complete' } as const
      for (let step = first; ; step = records === null ? complete : await records.next()) {
        if (step.done === true) {
          done = true
          onEnd(step.value, n)
          break
        }
        for (const r of step.value) {
          buf += `${recordToCof(r, COF_OPTIONS)}\n`
          n++
          if (buf.length >= ANSWER_CHUNK_CHARS) {
            yield buf
            buf = ''
          }
        }
      }
    } catch (err) {
      done = true
      onEnd('failed', n, err)
      throw err
    } finally {
      if (!done) {
        await records?.return('complete').catch(() => {})
        onEnd('client-gone', n)
      }
    }
    if (buf !== '') yield buf
  }
  return wholeOrStream(gen())
}
