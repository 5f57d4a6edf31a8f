/**
 * Frame Streams (fstrm), the framing dnstap travels in, as libfstrm and its protocol description
 * define it:
 *
 *   data frame     u32 length (≠ 0), then `length` bytes of payload (one dnstap protobuf message)
 *   control frame  u32 0 (the escape), u32 length, then `length` bytes: u32 control type, then
 *                  fields, each u32 field type, u32 field length, field bytes
 *
 * Control types: ACCEPT 1, START 2, STOP 3, READY 4, FINISH 5; the one field type is
 * CONTENT_TYPE 1 (READY and ACCEPT may hold several, START at most one). All integers big-endian.
 *
 * FrameDecoder is incremental: bytes arrive in chunks cut anywhere (socket reads, file reads) and
 * whole frames come out. A frame that lies inside one chunk is handed over in place (no copy);
 * only a frame split across chunks is assembled. Its announced length is checked against the
 * limits (limits.ts) and offered to the handler (which may refuse it, e.g. before the handshake)
 * before anything is allocated, and the buffer then grows with the bytes that actually arrive
 * (doubling, from FRAME_BUFFER_STEP), never to the announced length up front: a peer that
 * announces 16 MiB and sends 10 bytes costs 10 bytes, not 16 MiB. An optional shared budget
 * (budget.ts) bounds the partial frames of many decoders together.
 */
import { PdnsError } from '../errors.ts'
import { MAX_CONTENT_TYPE_BYTES, MAX_CONTROL_FRAME_BYTES, MAX_DATA_FRAME_BYTES } from './limits.ts'

export const CONTROL_ACCEPT = 1
export const CONTROL_START = 2
export const CONTROL_STOP = 3
export const CONTROL_READY = 4
export const CONTROL_FINISH = 5
export const FIELD_CONTENT_TYPE = 1

export type ControlName = 'ACCEPT' | 'START' | 'STOP' | 'READY' | 'FINISH'

const CONTROL_NAMES: readonly (ControlName | undefined)[] = [
  undefined,
  'ACCEPT',
  'START',
  'STOP',
  'READY',
  'FINISH',
]

/** A decoded control frame. */
export interface ControlFrame {
  type: ControlName
  /** CONTENT_TYPE fields in order (READY/ACCEPT: any number, START: at most one, others: none) */
  contentTypes: string[]
}

/** Why a Frame Streams peer or file was refused; a live connection is cut and counted under it. */
export type FrameStreamFault = 'protocol' | 'frame_too_large' | 'content_type' | 'buffer_budget'

/** ERR_DNSTAP_PROTOCOL with the fault it stands for, so the server can count cut connections by reason. */
export class FrameStreamError extends PdnsError {
  readonly fault: FrameStreamFault

  constructor(fault: FrameStreamFault, message: string, options?: { cause?: unknown }) {
    super('ERR_DNSTAP_PROTOCOL', message, options)
    this.fault = fault
  }
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0
}

function putU32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24
  b[p + 1] = (v >>> 16) & 0xff
  b[p + 2] = (v >>> 8) & 0xff
  b[p + 3] = v & 0xff
}

/** A content type quoted for messages: JSON string syntax, so control bytes cannot hide in it. */
export function quoteContentType(ct: string): string {
  return JSON.stringify(ct)
}

const CONTROL_NUMBERS: Readonly<Record<ControlName, number>> = {
  ACCEPT: CONTROL_ACCEPT,
  START: CONTROL_START,
  STOP: CONTROL_STOP,
  READY: CONTROL_READY,
  FINISH: CONTROL_FINISH,
}

/** A whole control frame on the wire (escape, length, type, CONTENT_TYPE fields). */
export function encodeControlFrame(type: ControlName, contentTypes: readonly string[] = []): Uint8Array {
  const cts = contentTypes.map((c) => Buffer.from(c, 'latin1'))
  let len = 4
  for (const c of cts) len += 8 + c.length
  const out = new Uint8Array(8 + len)
  putU32(out, 4, len)
  putU32(out, 8, CONTROL_NUMBERS[type])
  let p = 12
  for (const c of cts) {
    putU32(out, p, FIELD_CONTENT_TYPE)
    putU32(out, p + 4, c.length)
    out.set(c, p + 8)
    p += 8 + c.length
  }
  return out
}

/** A data frame on the wire: its length, then the payload. */
export function encodeDataFrame(payload: Uint8Array): Uint8Array {
  if (payload.length === 0) throw new RangeError('a Frame Streams data frame cannot be empty')
  const out = new Uint8Array(4 + payload.length)
  putU32(out, 0, payload.length)
  out.set(payload, 4)
  return out
}

/** Decodes the body of a control frame (after escape and length). Throws FrameStreamError. */
export function decodeControlFrame(buf: Uint8Array, off: number, len: number): ControlFrame {
  if (len < 4) throw new FrameStreamError('protocol', `control frame of ${len} bytes holds no control type`)
  const typeNum = u32(buf, off)
  const type = CONTROL_NAMES[typeNum]
  if (type === undefined) throw new FrameStreamError('protocol', `unknown control frame type ${typeNum}`)
  const contentTypes: string[] = []
  const end = off + len
  let p = off + 4
  while (p < end) {
    if (end - p < 8)
      throw new FrameStreamError('protocol', `${type} control frame ends inside a field header`)
    const fieldType = u32(buf, p)
    const fieldLen = u32(buf, p + 4)
    p += 8
    if (fieldLen > end - p) {
      throw new FrameStreamError(
        'protocol',
        `${type} control frame field of ${fieldLen} bytes overruns the frame`,
      )
    }
    if (fieldType === FIELD_CONTENT_TYPE) {
      if (fieldLen > MAX_CONTENT_TYPE_BYTES) {
        throw new FrameStreamError(
          'protocol',
          `${type} control frame content type of ${fieldLen} bytes (at most ${MAX_CONTENT_TYPE_BYTES})`,
        )
      }
      contentTypes.push(Buffer.from(buf.buffer, buf.byteOffset + p, fieldLen).toString('latin1'))
    }
    // other field types are not defined; skipped, so a later protocol revision still reads
    p += fieldLen
  }
  if (type === 'START' && contentTypes.length > 1) {
    throw new FrameStreamError('protocol', `START control frame names ${contentTypes.length} content types`)
  }
  return { type, contentTypes }
}

/** What a FrameDecoder hands whole frames to. All run synchronously inside push(). */
export interface FrameHandler {
  /**
   * A data frame's header was read (its length within the limits), before any of its body is
   * awaited or buffered: throw a FrameStreamError to refuse it (a reader not yet started), and the
   * decoder fails as for any protocol fault.
   */
  dataHeader?(len: number): void
  /** One data frame's payload at buf[off, off+len): valid during the call only (copy to keep). */
  data(buf: Uint8Array, off: number, len: number): void
  control(frame: ControlFrame): void
}

/** Memory shared by several decoders for their partial frames (a ByteBudget, budget.ts). */
export interface FrameBufferBudget {
  readonly limit: number
  tryReserve(bytes: number): boolean
  release(bytes: number): void
}

export interface FrameDecoderLimits {
  /** default MAX_DATA_FRAME_BYTES */
  maxDataFrame?: number
  /** default MAX_CONTROL_FRAME_BYTES */
  maxControlFrame?: number
  /** reserve partial-frame buffers here; a refusal fails the decoder ('buffer_budget') */
  budget?: FrameBufferBudget
}

/**
 * First allocation for a partial frame (or the bytes at hand, if more), then doubling up to the
 * announced length: the copies cost at most twice the frame, the memory at most twice what arrived.
 */
export const FRAME_BUFFER_STEP = 64 * 1024

const EMPTY = new Uint8Array(0)

/**
 * Splits a Frame Streams byte stream, cut anywhere, into frames. Holds at most one partial frame
 * (bounded by the limits, and grown as its bytes arrive) plus 8 header bytes. A protocol violation
 * throws a FrameStreamError out of push() after every frame before it was delivered; the decoder
 * then refuses further input. discard() frees the partial frame (and its budget) when the input
 * ends.
 */
export class FrameDecoder {
  readonly #handler: FrameHandler
  readonly #maxData: number
  readonly #maxControl: number
  readonly #budget: FrameBufferBudget | null
  readonly #hdr = new Uint8Array(8)
  #hdrLen = 0
  /** the partial frame: null between frames; its capacity grows towards #bodyLen */
  #body: Uint8Array | null = null
  #bodyLen = 0
  #bodyFill = 0
  #bodyControl = false
  /** bytes of #body reserved from the budget */
  #reserved = 0
  #halted = false
  #failed: FrameStreamError | null = null
  /** data frames the handler took (returned from) */
  dataFrames = 0
  /** control frames the handler took */
  controlFrames = 0
  /** bytes of the whole frames taken: where the frame being read (or the one at fault) starts */
  bytes = 0

  constructor(handler: FrameHandler, limits: FrameDecoderLimits = {}) {
    this.#handler = handler
    this.#maxData = limits.maxDataFrame ?? MAX_DATA_FRAME_BYTES
    this.#maxControl = limits.maxControlFrame ?? MAX_CONTROL_FRAME_BYTES
    this.#budget = limits.budget ?? null
  }

  /** True when no partial frame is held: the input so far ended on a frame boundary. */
  get atBoundary(): boolean {
    return this.#hdrLen === 0 && this.#body === null
  }

  /** Bytes of a partial frame held (header included). */
  get pendingBytes(): number {
    return this.#body === null ? this.#hdrLen : (this.#bodyControl ? 8 : 4) + this.#bodyFill
  }

  /** Bytes allocated for the partial frame's body (what it costs in memory, at least its fill). */
  get bufferBytes(): number {
    return this.#body === null ? 0 : this.#body.length
  }

  /** Stops delivering frames: the rest of the current chunk and later input are ignored (after STOP). */
  halt(): void {
    this.#halted = true
  }

  get halted(): boolean {
    return this.#halted
  }

  /** The input has ended (connection closed): halts, frees the partial frame and returns its budget. */
  discard(): void {
    this.#halted = true
    this.#dropBody()
  }

  /** Feeds bytes; delivers every frame they complete. Throws FrameStreamError on a violation. */
  push(chunk: Uint8Array): void {
    if (this.#failed !== null) throw this.#failed
    const end = chunk.length
    let p = 0
    while (p < end && !this.#halted) {
      if (this.#body === null) {
        const hdr = this.#hdr
        while (this.#hdrLen < 4 && p < end) hdr[this.#hdrLen++] = chunk[p++]!
        if (this.#hdrLen < 4) break
        let len = u32(hdr, 0)
        const control = len === 0
        if (control) {
          while (this.#hdrLen < 8 && p < end) hdr[this.#hdrLen++] = chunk[p++]!
          if (this.#hdrLen < 8) break
          len = u32(hdr, 4)
          if (len > this.#maxControl) {
            this.#fail('frame_too_large', `control frame of ${len} bytes (at most ${this.#maxControl})`)
          }
          if (len < 4) this.#fail('protocol', `control frame of ${len} bytes holds no control type`)
        } else {
          if (len > this.#maxData) {
            this.#fail('frame_too_large', `data frame of ${len} bytes (at most ${this.#maxData})`)
          }
          this.#offerHeader(len)
        }
        this.#hdrLen = 0
        if (end - p >= len) {
          // the common case: the whole frame is in this chunk, handed over in place
          const at = p
          p += len
          this.#deliver(chunk, at, len, control)
          this.bytes += (control ? 8 : 4) + len
          continue
        }
        this.#body = EMPTY
        this.#bodyLen = len
        this.#bodyFill = 0
        this.#bodyControl = control
      }
      const take = Math.min(this.#bodyLen - this.#bodyFill, end - p)
      if (this.#bodyFill + take > this.#body.length) this.#grow(this.#bodyFill + take)
      const body = this.#body
      body.set(chunk.subarray(p, p + take), this.#bodyFill)
      this.#bodyFill += take
      p += take
      if (this.#bodyFill === this.#bodyLen) {
        const control = this.#bodyControl
        const len = this.#bodyLen
        // the buffer is no longer the decoder's: its budget goes back before the handler runs
        this.#dropBody()
        this.#deliver(body, 0, len, control)
        this.bytes += (control ? 8 : 4) + len
      }
    }
  }

  /** Makes the partial frame's buffer hold at least `need` bytes (need <= #bodyLen). */
  #grow(need: number): void {
    const old = this.#body!
    const size = Math.min(this.#bodyLen, Math.max(need, old.length * 2, FRAME_BUFFER_STEP))
    const more = size - old.length
    if (this.#budget !== null && !this.#budget.tryReserve(more)) {
      this.#fail(
        'buffer_budget',
        `the partial frames of all connections would pass ${this.#budget.limit} bytes ` +
          `(this one: ${this.#bodyFill} of ${this.#bodyLen} bytes received)`,
      )
    }
    this.#reserved += more
    const grown = new Uint8Array(size)
    grown.set(old.subarray(0, this.#bodyFill))
    this.#body = grown
  }

  #dropBody(): void {
    this.#body = null
    if (this.#reserved > 0) this.#budget?.release(this.#reserved)
    this.#reserved = 0
  }

  #offerHeader(len: number): void {
    if (this.#handler.dataHeader === undefined) return
    try {
      this.#handler.dataHeader(len)
    } catch (err) {
      if (err instanceof FrameStreamError) this.#failed = err
      throw err
    }
  }

  #fail(fault: FrameStreamFault, message: string): never {
    this.#failed = new FrameStreamError(fault, message)
    throw this.#failed
  }

  #deliver(buf: Uint8Array, off: number, len: number, control: boolean): void {
    if (!control) {
      this.#handler.data(buf, off, len)
      this.dataFrames++
      return
    }
    let frame: ControlFrame
    try {
      frame = decodeControlFrame(buf, off, len)
    } catch (err) {
      if (err instanceof FrameStreamError) this.#failed = err
      throw err
    }
    this.#handler.control(frame)
    this.controlFrames++
  }
}
