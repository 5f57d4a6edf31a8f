/**
 * Lines of a text file, plain or gzip (told by content), in batches of one read chunk: the reader of
 * every line-oriented source (COF, Suricata EVE, passivedns logs), so any file streams through in
 * bounded memory and an over-long line is reported, never buffered without bound.
 */
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { PdnsError } from '../errors.ts'
import { MAX_COF_LINE_BYTES } from './limits.ts'

const READ_CHUNK = 1 << 20

export interface LineBatch {
  /** line number (1-based) of lines[0] */
  first: number
  /** the lines of one read chunk, without line ends; null for a line over MAX_COF_LINE_BYTES */
  lines: (string | null)[]
}

export interface ReadLinesOptions {
  /** aborting rejects with ERR_ABORTED at the next chunk */
  signal?: AbortSignal
  /** called after each chunk with file bytes read (compressed bytes for gzip) and the file size */
  onProgress?: (bytesRead: number, totalBytes: number) => void
  maxLineBytes?: number
}

/**
 * The lines of a text file, plain or gzip (told by content), in batches of one read chunk, so a file
 * of any size streams through in bounded memory.
 */
export async function* readLines(path: string, opts: ReadLinesOptions = {}): AsyncGenerator<LineBatch> {
  const maxLine = opts.maxLineBytes ?? MAX_COF_LINE_BYTES
  let size: number
  let gzip: boolean
  try {
    const fh = await open(path, 'r')
    try {
      size = (await fh.stat()).size
      const head = Buffer.alloc(2)
      const { bytesRead } = await fh.read(head, 0, 2, 0)
      gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b
    } finally {
      await fh.close()
    }
  } catch (err) {
    throw unreadable(path, err)
  }
  const raw = createReadStream(path, { highWaterMark: READ_CHUNK })
  const stream: Readable = gzip ? raw.pipe(createGunzip({ chunkSize: READ_CHUNK })) : raw
  if (gzip) raw.on('error', (err) => stream.destroy(err))
  let pending: Buffer[] = []
  let pendingLen = 0
  let overlong = false
  let lineNo = 1
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (opts.signal?.aborted) {
        throw new PdnsError('ERR_ABORTED', 'reading was aborted', { cause: opts.signal.reason })
      }
      const batch: LineBatch = { first: lineNo, lines: [] }
      let pos = 0
      for (;;) {
        const nl = chunk.indexOf(0x0a, pos)
        const end = nl < 0 ? chunk.length : nl
        if (!overlong && pendingLen + end - pos > maxLine) {
          overlong = true
          pending = []
          pendingLen = 0
        }
        if (nl < 0) {
          if (!overlong && end > pos) {
            pending.push(chunk.subarray(pos, end))
            pendingLen += end - pos
          }
          break
        }
        if (overlong) batch.lines.push(null)
        else if (pendingLen === 0) batch.lines.push(lineText(chunk, pos, end))
        else {
          pending.push(chunk.subarray(pos, end))
          const all = Buffer.concat(pending)
          batch.lines.push(lineText(all, 0, all.length))
        }
        pending = []
        pendingLen = 0
        overlong = false
        lineNo++
        pos = nl + 1
      }
      opts.onProgress?.(raw.bytesRead, size)
      if (batch.lines.length > 0) yield batch
    }
  } catch (err) {
    if (err instanceof PdnsError) throw err
    throw unreadable(path, err)
  } finally {
    raw.destroy()
    stream.destroy()
  }
  if (overlong) yield { first: lineNo, lines: [null] }
  else if (pendingLen > 0) {
    const all = Buffer.concat(pending)
    yield { first: lineNo, lines: [lineText(all, 0, all.length)] }
  }
}

function lineText(b: Buffer, start: number, end: number): string {
  return b.toString('utf8', start, end > start && b[end - 1] === 0x0d ? end - 1 : end)
}

function unreadable(path: string, err: unknown): PdnsError {
  const code = (err as NodeJS.ErrnoException).code
  const what = code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' ? 'damaged gzip data' : 'cannot read'
  return new PdnsError('ERR_FILE_UNREADABLE', `${path}: ${what}: ${(err as Error).message}`, { cause: err })
}
