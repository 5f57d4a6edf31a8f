/**
 * An NDJSON answer's body from its chunks (saf.ts, cof.ts gather records into chunks of
 * ANSWER_CHUNK_CHARS). An answer of one chunk (nearly every lookup: tens of records) is sent as one
 * buffer, with a content-length: one write of head and body, no stream, no chunked framing. Only a
 * longer answer is streamed, pulled by the socket (backpressure), starting with what was gathered.
 * A stream cost a ten-record answer more than the engine's lookup (Readable.from, pipe, a corked
 * writev, then a separate write for the last chunk), hence the split. A buffer rather than a
 * string: fastify sends it as is, where it would add `; charset=utf-8` to a JSON type's string.
 */
import { Readable } from 'node:stream'
import { ANSWER_CHUNK_CHARS } from './limits.ts'

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
