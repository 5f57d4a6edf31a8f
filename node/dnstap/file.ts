/**
 * dnstap files: a unidirectional Frame Streams stream as fstrm_capture, unbound, knot, dnsdist or
 * `dnstap -w` write it: START (content type protobuf:dnstap.Dnstap), data frames, STOP. Optionally
 * gzip-compressed (told from content). Files written back to back (`cat a.dnstap b.dnstap`) hold
 * several START…STOP runs and read whole; a file whose writer is still running (or died) has no
 * STOP and reads up to its last whole frame.
 *
 * Refused with ERR_DNSTAP_PROTOCOL: another content type (named in the message), data before
 * START, a bidirectional handshake frame, a frame over the limits, a file that ends inside a
 * frame. Every frame before the problem has been delivered by then.
 */
import { type ByteSource, FileSource, GunzipSource, openInput } from '../capture/formats/byte-source.ts'
import { PdnsError } from '../errors.ts'
import {
  CONTROL_START,
  type ControlFrame,
  decodeControlFrame,
  FrameDecoder,
  FrameStreamError,
  quoteContentType,
} from './frame-stream.ts'
import { MAX_CONTROL_FRAME_BYTES } from './limits.ts'
import { DNSTAP_CONTENT_TYPE } from './schema.ts'

/** Bytes read from the file (or inflated) per read. */
const READ_BYTES = 256 * 1024

export interface DnstapFileInfo {
  compressed: boolean
  /** always DNSTAP_CONTENT_TYPE for a file read through */
  contentType: string
  /** data frames handed to the sink */
  frames: number
  /** Frame Streams bytes read (after decompression) */
  bytes: number
  /** START…STOP runs (a run cut short by the end of the file counts) */
  streams: number
  /** the last run ended with STOP (false: the writer had not finished) */
  stopped: boolean
}

export interface ReadDnstapOptions {
  /** Aborting rejects with ERR_ABORTED at the next read; frames before are delivered. */
  signal?: AbortSignal
  /** After each read: file bytes consumed (compressed bytes for gzip) and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void
}

/** What the first bytes of a file say about Frame Streams. */
export interface FrameStreamsHead {
  /** the START frame's content type; null when START names none or is not whole in the head */
  contentType: string | null
}

/**
 * Whether `head` (the first bytes of a file, decompressed) starts a Frame Streams file: the zero
 * escape, a control frame length within the limits, the START type. Returns null when not.
 */
export function sniffFrameStreams(head: Uint8Array): FrameStreamsHead | null {
  if (head.length < 12) return null
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength)
  const len = v.getUint32(4)
  if (v.getUint32(0) !== 0 || len < 4 || len > MAX_CONTROL_FRAME_BYTES || v.getUint32(8) !== CONTROL_START)
    return null
  if (head.length < 8 + len) return { contentType: null }
  try {
    return { contentType: decodeControlFrame(head, 8, len).contentTypes[0] ?? null }
  } catch {
    return null
  }
}

/** The error for a Frame Streams file of another content type (or none). */
export function contentTypeError(path: string, contentType: string | null): PdnsError {
  return new FrameStreamError(
    'content_type',
    contentType === null
      ? `${path}: Frame Streams file names no content type; a dnstap file is ${quoteContentType(DNSTAP_CONTENT_TYPE)}`
      : `${path}: Frame Streams content type ${quoteContentType(contentType)} is not dnstap (${quoteContentType(DNSTAP_CONTENT_TYPE)})`,
  )
}

/**
 * Reads a dnstap file and hands each data frame (one dnstap protobuf) to `onFrame`, which must not
 * keep the bytes beyond the call. Throws ERR_FILE_UNREADABLE, ERR_DNSTAP_PROTOCOL, ERR_ABORTED (and
 * the gzip errors of capture files) after delivering every frame before the failure.
 */
export async function readDnstapFile(
  path: string,
  onFrame: (buf: Uint8Array, off: number, len: number) => void,
  opts: ReadDnstapOptions = {},
): Promise<DnstapFileInfo> {
  const signal = opts.signal
  const aborted = () =>
    new PdnsError('ERR_ABORTED', 'dnstap file reading was aborted', { cause: signal?.reason })
  if (signal?.aborted) throw aborted()
  const fh = await openInput(path)
  let src: ByteSource | null = null
  try {
    let size: number
    const head = new Uint8Array(2)
    try {
      size = (await fh.stat()).size
      await fh.read(head, 0, 2, 0)
    } catch (err) {
      throw new PdnsError('ERR_FILE_UNREADABLE', `${path}: cannot read: ${(err as Error).message}`, {
        cause: err,
      })
    }
    const compressed = head[0] === 0x1f && head[1] === 0x8b
    src = compressed ? new GunzipSource(fh, path) : new FileSource(fh, path)

    const info: DnstapFileInfo = {
      compressed,
      contentType: DNSTAP_CONTENT_TYPE,
      frames: 0,
      bytes: 0,
      streams: 0,
      stopped: false,
    }
    /** inside a START…STOP run */
    let running = false
    const protocol = (message: string) => new FrameStreamError('protocol', message)
    const decoder = new FrameDecoder({
      data(buf, off, len) {
        if (!running) throw protocol(info.streams === 0 ? 'data frame before START' : 'data frame after STOP')
        info.frames++
        onFrame(buf, off, len)
      },
      control(frame: ControlFrame) {
        if (frame.type === 'START') {
          if (running) throw protocol('START inside a running stream (no STOP before it)')
          const ct = frame.contentTypes[0] ?? null
          if (ct !== DNSTAP_CONTENT_TYPE) throw contentTypeError(path, ct)
          running = true
          info.stopped = false
          info.streams++
        } else if (frame.type === 'STOP') {
          if (!running) throw protocol('STOP without START')
          running = false
          info.stopped = true
        } else {
          // READY, ACCEPT, FINISH belong to a bidirectional connection, never to a file
          throw protocol(`${frame.type} control frame in a file (a file holds START, data frames, STOP)`)
        }
      },
    })

    const buf = new Uint8Array(READ_BYTES)
    for (;;) {
      if (signal?.aborted) throw aborted()
      const n = await src.read(buf, 0, READ_BYTES)
      if (n === 0) break
      try {
        decoder.push(buf.subarray(0, n))
      } catch (err) {
        if (err instanceof FrameStreamError && !err.message.startsWith(`${path}: `)) {
          throw new FrameStreamError(
            err.fault,
            `${path}: ${err.message} (Frame Streams byte ${decoder.bytes})`,
            {
              cause: err,
            },
          )
        }
        throw err
      }
      opts.onProgress?.(src.fileBytesRead, size)
    }
    info.bytes = decoder.bytes + decoder.pendingBytes
    if (!decoder.atBoundary) {
      throw new FrameStreamError(
        'protocol',
        `${path}: truncated dnstap file: it ends inside a frame (the frame at Frame Streams byte ${decoder.bytes} has ${decoder.pendingBytes} bytes)`,
      )
    }
    if (info.streams === 0) {
      throw new FrameStreamError(
        'protocol',
        info.bytes === 0 ? `${path}: dnstap file is empty` : `${path}: no START control frame`,
      )
    }
    return info
  } finally {
    src?.close()
    await fh.close().catch(() => {})
  }
}
