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
import { type AnswerEnd, type NdjsonFraming, ndjsonBody } from './body.ts'
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
  onEnd: (end: AnswerEnd, records: number, err?: unknown) => void,
): Promise<Buffer | Readable> {
  return ndjsonBody(first, records, COF_FRAMING, onEnd)
}

const COF_FRAMING: NdjsonFraming<ResultRecord> = {
  head: '',
  counted: 0,
  line: (r) => `${recordToCof(r, COF_OPTIONS)}\n`,
  endLine: () => '',
  failedLine: () => null,
}
