/**
 * readCapture: open a capture file, recognise it by content (gzip is inflated on the fly and its
 * content recognised in turn), and hand every frame to a FrameSink. Failures after the start
 * still deliver every complete frame before them, then throw a PdnsError.
 */

import { PdnsError } from '../../errors.ts'
import { READ_CHUNK_BYTES } from '../limits.ts'
import type { FrameSink } from '../types.ts'
import { BufferedReader } from './buffered-reader.ts'
import { type ByteSource, FileSource, GunzipSource, openInput } from './byte-source.ts'
import { DETECT_BYTES, type DetectedFormat, detectFormat, hexHead } from './detect.ts'
import { readPcap } from './pcap.ts'
import { readPcapng } from './pcapng.ts'
import { type ReadState, where } from './read-state.ts'

export interface ReadCaptureOptions {
  /** Aborting rejects with ERR_ABORTED at the next buffer refill. */
  signal?: AbortSignal
  /** Called after every buffer refill with file bytes consumed (compressed bytes for gzip) and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void
  /** Awaited before each buffer refill, once the frames read so far were delivered: lets a slow consumer push back. */
  onChunk?: () => Promise<void> | void
}

export interface CaptureFileInfo {
  format: 'pcap' | 'pcapng'
  compressed: boolean
  /** frames handed to the sink */
  frames: number
  /** bytes of capture data read (after decompression) */
  bytes: number
  /** pcapng blocks skipped (name resolution, statistics, custom, ...) */
  skippedBlocks: number
}

/** Smallest buffer used for a small plain file (it never needs the full chunk size). */
const MIN_BUFFER_BYTES = 64 * 1024

export async function readCapture(
  path: string,
  onFrame: FrameSink,
  opts: ReadCaptureOptions = {},
): Promise<CaptureFileInfo> {
  if (opts.signal?.aborted) {
    throw new PdnsError('ERR_ABORTED', 'capture reading was aborted', { cause: opts.signal.reason })
  }
  const fh = await openInput(path)
  let size: number
  let src: ByteSource | null = null
  try {
    try {
      size = (await fh.stat()).size
    } catch (err) {
      throw new PdnsError('ERR_FILE_UNREADABLE', `${path}: cannot stat: ${(err as Error).message}`, {
        cause: err,
      })
    }
    // The file's first bytes choose between gzip and plain, and for a plain file they are the
    // capture's own: only inflated content needs recognising again, from the reader.
    const head = new Uint8Array(DETECT_BYTES)
    const headLen = await new FileSource(fh, path).read(head, 0, DETECT_BYTES)
    const outer = detectFormat(head, headLen)
    if (outer === null) throw unknown(path, head, headLen, '')
    const compressed = outer === 'gzip'
    src = compressed ? new GunzipSource(fh, path) : new FileSource(fh, path)
    const bufSize = compressed
      ? READ_CHUNK_BYTES
      : Math.min(READ_CHUNK_BYTES, Math.max(MIN_BUFFER_BYTES, size))
    const r = new BufferedReader(src, bufSize, size, opts.signal, opts.onProgress, opts.onChunk)
    const st: ReadState = { path, compressed, frames: 0, skippedBlocks: 0 }

    let format: DetectedFormat | null = outer
    if (compressed) {
      await r.fill(DETECT_BYTES)
      format = detectFormat(r.buf.subarray(r.pos), r.end - r.pos)
    }
    if (format === 'pcap' || format === 'pcapng') {
      await (format === 'pcap' ? readPcap(r, onFrame, st) : readPcapng(r, onFrame, st))
    } else if (r.sourceError === null) {
      throw unknown(path, r.buf, r.end, compressed ? 'gzip-compressed ' : '')
    }
    // Input ended. A failing source explains a short tail best; otherwise a tail is truncation.
    if (r.sourceError !== null) {
      const e = r.sourceError
      if (e instanceof PdnsError) {
        throw new PdnsError(
          e.code,
          `${path}: ${e.message.replace(`${path}: `, '')} (${where(st, r.offset)})`,
          {
            cause: e.cause ?? e,
          },
        )
      }
      throw e
    }
    if (r.end > r.pos || (format !== 'pcap' && format !== 'pcapng')) {
      throw new PdnsError(
        'ERR_TRUNCATED_CAPTURE',
        `${path}: truncated capture: it ends inside a ${r.offset === 0 ? 'file header' : 'record'} (${where(st, r.offset)})`,
      )
    }
    return {
      format,
      compressed,
      frames: st.frames,
      bytes: r.offset,
      skippedBlocks: st.skippedBlocks,
    }
  } finally {
    src?.close()
    await fh.close().catch(() => {})
  }
}

function unknown(path: string, head: Uint8Array, len: number, kind: string): PdnsError {
  if (len === 0) return new PdnsError('ERR_UNKNOWN_FORMAT', `${path}: ${kind}file is empty`)
  return new PdnsError(
    'ERR_UNKNOWN_FORMAT',
    `${path}: ${kind}content is not pcap or pcapng (first bytes: ${hexHead(head, len)})`,
  )
}
