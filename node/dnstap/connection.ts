/**
 * One Frame Streams writer (a resolver's dnstap output) connected to the dnstap server, read as
 * the receiving end of the protocol:
 *
 *   bidirectional   READY(content types) → ACCEPT(protobuf:dnstap.Dnstap) → START → data… → STOP → FINISH, close
 *   unidirectional  START(protobuf:dnstap.Dnstap) → data… → STOP, close   (no handshake, as in a file)
 *
 * Frames are decoded as the bytes arrive, synchronously, so what the socket delivered is processed
 * before the next read: nothing queues beyond one partial frame (bounded by limits.ts, grown as its
 * bytes arrive, and counted in the server's shared budget). A data frame before START is refused
 * at its header, so a peer that never completes the handshake makes the node buffer nothing but a
 * control frame. A peer that breaks the protocol, offers another content type, sends an oversized
 * frame, stalls the handshake, stays silent past the idle timeout or would take the shared budget
 * past its limit is cut (socket destroyed) and the reason reported; it never affects other
 * connections.
 */
import type { Socket } from 'node:net'
import {
  type ControlFrame,
  encodeControlFrame,
  type FrameBufferBudget,
  FrameDecoder,
  FrameStreamError,
  quoteContentType,
} from './frame-stream.ts'
import { DNSTAP_CONTENT_TYPE } from './schema.ts'

/** Why a connection was cut (or refused); counted by the server. */
export type CutReason =
  | 'protocol'
  | 'frame_too_large'
  | 'content_type'
  | 'handshake_timeout'
  | 'idle_timeout'
  | 'buffer_budget'
  | 'socket_error'
  | 'sink_error'
  | 'too_many_connections'

/** How a connection ended. */
export type ConnectionEnd =
  /** STOP received (and FINISH sent when bidirectional) */
  | { kind: 'finished' }
  /** the peer closed without STOP (a writer restarting, crashing): frames before are kept */
  | { kind: 'eof' }
  /** the server stopped */
  | { kind: 'stopped' }
  | { kind: 'cut'; reason: CutReason; message: string }

export interface ConnectionComponents {
  /** one dnstap data frame; bytes valid during the call only */
  onFrame(buf: Uint8Array, off: number, len: number): void
  /** called once, when the socket has closed */
  onEnd(conn: DnstapConnection, end: ConnectionEnd): void
}

export interface ConnectionOptions {
  handshakeTimeoutMs: number
  /** once started, silence (no byte received) longer than this cuts the connection */
  idleTimeoutMs: number
  maxDataFrame: number
  /** shared by the server's connections for their partial frames */
  budget: FrameBufferBudget
}

type State = 'handshake' | 'accepted' | 'running' | 'done'

export class DnstapConnection {
  readonly #socket: Socket
  readonly #decoder: FrameDecoder
  readonly #idleTimeoutMs: number
  #state: State = 'handshake'
  #bidirectional = false
  #end: ConnectionEnd | null = null
  #timer: NodeJS.Timeout | null
  /** bytes received */
  bytes = 0

  constructor(socket: Socket, components: ConnectionComponents, options: ConnectionOptions) {
    this.#socket = socket
    this.#idleTimeoutMs = options.idleTimeoutMs
    const notStarted = () => new FrameStreamError('protocol', 'data frame before START')
    this.#decoder = new FrameDecoder(
      {
        // refused at the header: nothing of a frame sent before the handshake is ever buffered
        dataHeader: () => {
          if (this.#state !== 'running') throw notStarted()
        },
        data: (buf, off, len) => {
          if (this.#state !== 'running') throw notStarted()
          components.onFrame(buf, off, len)
        },
        control: (frame) => this.#control(frame),
      },
      { maxDataFrame: options.maxDataFrame, budget: options.budget },
    )
    this.#timer = setTimeout(
      () => this.#cut('handshake_timeout', `no START within ${options.handshakeTimeoutMs} ms`),
      options.handshakeTimeoutMs,
    )
    this.#timer.unref()
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    socket.on('end', () => {
      // the writer closed its side (a clean stream ended with STOP before this); the server's
      // sockets are not half-open, so node ends ours once what we wrote (FINISH) is flushed
      this.#end ??= { kind: 'eof' }
    })
    socket.on('error', (err) => {
      this.#end ??= { kind: 'cut', reason: 'socket_error', message: err.message }
      socket.destroy()
    })
    socket.on('timeout', () => {
      this.#cut('idle_timeout', `nothing received for ${this.#idleTimeoutMs} ms`)
    })
    socket.on('close', () => {
      this.#clearTimer()
      socket.setTimeout(0)
      // the partial frame (and its share of the server's budget) goes with the connection
      this.#decoder.discard()
      this.#state = 'done'
      components.onEnd(this, this.#end ?? { kind: 'eof' })
    })
  }

  /** data frames delivered */
  get frames(): number {
    return this.#decoder.dataFrames
  }

  get controlFrames(): number {
    return this.#decoder.controlFrames
  }

  /** The server is stopping: close now. Frames already received were processed as they arrived. */
  close(): void {
    this.#end ??= { kind: 'stopped' }
    this.#decoder.halt()
    this.#socket.destroy()
  }

  #onData(chunk: Buffer): void {
    if (this.#state === 'done') return
    this.bytes += chunk.length
    try {
      this.#decoder.push(chunk)
    } catch (err) {
      if (err instanceof FrameStreamError) this.#cut(err.fault, err.message)
      // anything else comes from the sink (the store): that is not the peer's fault, but the
      // connection cannot go on without losing frames silently, so it is cut and reported
      else this.#cut('sink_error', `frame sink failed: ${(err as Error).message}`)
    }
  }

  #control(frame: ControlFrame): void {
    const ours = DNSTAP_CONTENT_TYPE
    switch (frame.type) {
      case 'READY':
        if (this.#state !== 'handshake') throw new FrameStreamError('protocol', `READY after the handshake`)
        if (!frame.contentTypes.includes(ours)) {
          throw new FrameStreamError(
            'content_type',
            `writer offers ${frame.contentTypes.map(quoteContentType).join(', ') || 'no content type'}, not ${quoteContentType(ours)}`,
          )
        }
        this.#bidirectional = true
        this.#state = 'accepted'
        this.#socket.write(encodeControlFrame('ACCEPT', [ours]))
        return
      case 'START': {
        if (this.#state === 'running') throw new FrameStreamError('protocol', 'START inside a running stream')
        const ct = frame.contentTypes[0] ?? null
        // after ACCEPT the type was agreed (START may leave it out); a writer that skipped the
        // handshake must name it, as a file does
        if (ct === null ? this.#state !== 'accepted' : ct !== ours) {
          throw new FrameStreamError(
            'content_type',
            `START names ${ct === null ? 'no content type' : quoteContentType(ct)}, not ${quoteContentType(ours)}`,
          )
        }
        this.#state = 'running'
        this.#clearTimer()
        // a started writer may be quiet for long (a resolver on an idle network): only a long
        // silence cuts it, and a resolver reconnects (limits.ts, DNSTAP_IDLE_TIMEOUT_MS)
        this.#socket.setTimeout(this.#idleTimeoutMs)
        return
      }
      case 'STOP':
        if (this.#state !== 'running') throw new FrameStreamError('protocol', 'STOP before START')
        this.#end = { kind: 'finished' }
        this.#decoder.halt()
        // FINISH answers STOP on a bidirectional stream only: a unidirectional writer reads nothing
        if (this.#bidirectional) this.#socket.end(encodeControlFrame('FINISH'))
        else this.#socket.end()
        return
      default:
        throw new FrameStreamError('protocol', `${frame.type} control frame from a writer`)
    }
  }

  #cut(reason: CutReason, message: string): void {
    if (this.#state === 'done') return
    this.#end ??= { kind: 'cut', reason, message }
    this.#decoder.halt()
    this.#clearTimer()
    this.#socket.destroy()
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }
}
