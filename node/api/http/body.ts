/**
 * An NDJSON answer's body: its items' lines gathered into chunks of ANSWER_CHUNK_CHARS (ndjsonBody,
 * for DNSDB's SAF and CIRCL's COF, which differ only in their framing). An answer of one chunk (nearly every lookup: tens of records) is sent as one
 * buffer, with a content-length: one write of head and body, no stream, no chunked framing. Only a
 * longer answer is streamed, pulled by the socket (backpressure), starting with what was gathered.
 * A stream cost a ten-record answer more than the engine's lookup (Readable.from, pipe, a corked
 * writev, then a separate write for the last chunk), hence the split. A buffer rather than a
 * string: fastify sends it as is, where it would add `; charset=utf-8` to a JSON type's string.
 */
import { Readable } from 'node:stream'
import { ANSWER_CHUNK_CHARS } from './limits.ts'
import type { PagedEnd } from './paged.ts'

/** How an answer ended: at its end or a bound, on an error after the head, or with its client gone. */
export type AnswerEnd = PagedEnd | 'failed' | 'client-gone'

/** What an answer writes for and around its items. */
export interface NdjsonFraming<T> {
  /** the text before the items (SAF's begin line, with any records already gathered) */
  head: string
  /** items already in `head` */
  counted: number
  line(item: T): string
  /** the last line of an answer that ran to its end or a bound ('' for none) */
  endLine(end: PagedEnd): string
  /**
   * An error after the head: the answer's last line saying so (SAF's failed condition), or null:
   * the stream is destroyed, so the client sees a cut answer rather than one that looks complete.
   */
  failedLine(err: unknown): string | null
}

const NO_MORE = { done: true, value: 'complete' } as const

/**
 * An NDJSON answer from its items, a page at a time: `first`, already fetched (so a bad query fails
 * before the head), or null to start with `rest`; then `rest`'s pages (null: none). A client that
 * goes away stops `rest` (its query ends). `onEnd` hears once how the answer ended.
 */
export function ndjsonBody<T>(
  first: IteratorResult<readonly T[], PagedEnd> | null,
  rest: AsyncGenerator<readonly T[], PagedEnd> | null,
  framing: NdjsonFraming<T>,
  onEnd: (end: AnswerEnd, items: number, err?: unknown) => void,
): Promise<Buffer | Readable> {
  const pull = (): Promise<IteratorResult<readonly T[], PagedEnd>> | typeof NO_MORE =>
    rest === null ? NO_MORE : rest.next()
  async function* chunks(): AsyncGenerator<string> {
    let n = framing.counted
    let done = false
    let buf = framing.head
    try {
      for (let step = first ?? (await pull()); ; step = await pull()) {
        if (step.done === true) {
          buf += framing.endLine(step.value)
          done = true
          onEnd(step.value, n)
          break
        }
        for (const item of step.value) {
          buf += framing.line(item)
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
      const last = framing.failedLine(err)
      if (last === null) throw err
      buf += last
    } finally {
      // the response stopped pulling before the end: the client went away
      if (!done) {
        await rest?.return('complete').catch(() => {})
        onEnd('client-gone', n)
      }
    }
    if (buf !== '') yield buf
  }
  return wholeOrStream(chunks())
}

export async function wholeOrStream(chunks: AsyncGenerator<string, unknown>): Promise<Buffer | Readable> {
  const a = await chunks.next()
  if (a.done === true) return Buffer.alloc(0)
  // a second pull tells a one-chunk answer from a longer one (the generator ends right after its last chunk)
  const b = await chunks.next()
  if (b.done === true) return Buffer.from(a.value)
  return Readable.from(resume(a.value, b.value, chunks), {
    objectMode: false,
    highWaterMark: ANSWER_CHUNK_CHARS,
  })
}

async function* resume(a: string, b: string, rest: AsyncGenerator<string, unknown>): AsyncGenerator<string> {
  try {
    yield a
    yield b
    yield* rest
  } finally {
    // a client that went away: `rest` runs its cleanup (the query's end) even when stopped before it
    await rest.return(undefined)
  }
}
