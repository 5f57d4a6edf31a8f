/**
 * The live dnstap input: a Frame Streams reader listening on any number of unix sockets and TCP
 * ports, where resolvers (unbound, knot, dnsdist, BIND, …) connect their dnstap output. Each
 * connection (connection.ts) does the handshake and hands data frames, as they arrive, to the one
 * DnstapIngest of the server (ingest.ts), which parses the responses and asks `sinkFor` for each
 * identity's observation sink; several resolvers feed it at once.
 *
 * Bounded (limits.ts): MAX_DNSTAP_CONNECTIONS_PER_ENDPOINT on each endpoint (one more there is
 * closed at once; each endpoint has its own budget, so peers filling a TCP port cannot lock a local
 * resolver out of the unix socket), a handshake deadline, a long idle deadline once started, frame
 * size limits, and MAX_DNSTAP_PENDING_BYTES of partial frames over all connections together; every
 * refused or cut connection is counted by reason and never disturbs the others.
 *
 * No authentication: Frame Streams has none, so anyone who can connect can inject records (under
 * any identity they like). A unix socket is guarded by its file mode and group (socket-access.ts:
 * 0660 and the node's group by default; `socketGroup` lets a resolver running as its own user in);
 * a TCP listener is open to everyone who can reach it, so bind it to loopback or a management
 * network, never to an interface untrusted hosts reach.
 *
 * Unix sockets: a stale socket file is replaced, a live one refused (ERR_DNSTAP_LISTEN); the socket
 * is created owner-only, then given its group and mode, and removed at stop.
 */
import { stat, unlink } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { Counters } from '../capture/types.ts'
import type { ObservationSink } from '../dns/observation.ts'
import { PdnsError } from '../errors.ts'
import { ByteBudget } from './budget.ts'
import { type ConnectionEnd, type CutReason, DnstapConnection } from './connection.ts'
import {
  clearStaleSocket,
  type DnstapEndpoint,
  formatDnstapEndpoint,
  parseDnstapEndpoint,
} from './endpoint.ts'
import { DnstapIngest, type DnstapIngestStats } from './ingest.ts'
import {
  DNSTAP_IDLE_TIMEOUT_MS,
  HANDSHAKE_TIMEOUT_MS,
  MAX_DATA_FRAME_BYTES,
  MAX_DNSTAP_CONNECTIONS_PER_ENDPOINT,
  MAX_DNSTAP_PENDING_BYTES,
} from './limits.ts'
import { applySocketAccess, DEFAULT_SOCKET_MODE, listenOwnerOnly } from './socket-access.ts'

/** What the server logs through (a pino logger fits); connection events only, never per message. */
export interface DnstapLog {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

export interface DnstapServerComponents {
  /** the observation sink of a dnstap identity (null: no usable identity); see DnstapIngestComponents */
  sinkFor(identity: string | null): ObservationSink
  log?: DnstapLog
}

export interface DnstapServerOptions {
  /** `unix:/path` / `tcp:HOST:PORT` strings (see parseDnstapEndpoint) or parsed endpoints */
  listen: readonly (string | DnstapEndpoint)[]
  /** `dnstap.Message.Type` names whose responses are parsed (default DEFAULT_MESSAGE_TYPES) */
  messageTypes?: readonly string[]
  /** keep client addresses in observations (default false) */
  clientAddresses?: boolean
  /** largest data frame accepted (default MAX_DATA_FRAME_BYTES); a larger one cuts the connection */
  maxFrameBytes?: number
  /** connections at once on each endpoint (default MAX_DNSTAP_CONNECTIONS_PER_ENDPOINT) */
  maxConnections?: number
  /** default HANDSHAKE_TIMEOUT_MS */
  handshakeTimeoutMs?: number
  /** silence that cuts a started connection (default DNSTAP_IDLE_TIMEOUT_MS) */
  idleTimeoutMs?: number
  /** partial-frame bytes over all connections (default MAX_DNSTAP_PENDING_BYTES); at least maxFrameBytes */
  maxPendingBytes?: number
  /** mode of the unix sockets (default DEFAULT_SOCKET_MODE, 0660) */
  socketMode?: number
  /** gid given to the unix sockets (default: not changed, the node's group) */
  socketGroup?: number | null
}

export interface DnstapServerStats {
  /** endpoints listened on, TCP ports as bound */
  endpoints: string[]
  connections: {
    current: number
    /** accepted since start (refused ones not included) */
    total: number
    /** ended with STOP */
    finished: number
    /** closed by the writer without STOP (frames before are kept) */
    eof: number
    /** current connections per endpoint (as in `endpoints`) */
    byEndpoint: Record<string, number>
  }
  /** bytes held in partial frames over all connections (at most MAX_DNSTAP_PENDING_BYTES) */
  pendingBytes: number
  /** data frames received */
  frames: number
  controlFrames: number
  /** bytes received */
  bytes: number
  /** dnstap messages by type (CLIENT_RESPONSE, …) */
  messages: Record<string, number>
  /** connections refused or cut, by reason (CutReason) */
  cut: Record<string, number>
  /** what the messages gave: parser counters summed and per identity */
  ingest: DnstapIngestStats
}

interface Listener {
  endpoint: DnstapEndpoint
  /** as `endpoints` shows it: TCP port as bound */
  name: string
  server: Server
  /** the socket file this listener created (dev, ino), so stop() removes only its own */
  unixId: { dev: number; ino: number } | null
  /** connections held now (its own budget of maxConnections) */
  connections: number
}

export class DnstapServer {
  readonly #ingest: DnstapIngest
  readonly #log: DnstapLog | null
  readonly #endpoints: DnstapEndpoint[]
  readonly #maxFrameBytes: number
  readonly #maxConnections: number
  readonly #handshakeTimeoutMs: number
  readonly #idleTimeoutMs: number
  readonly #budget: ByteBudget
  readonly #socketMode: number
  readonly #socketGroup: number | null
  readonly #listeners: Listener[] = []
  readonly #bound: string[] = []
  /** live connections and the listener that accepted each */
  readonly #connections = new Map<DnstapConnection, Listener>()
  readonly #closed = new Map<DnstapConnection, Promise<void>>()
  readonly #resolveClosed = new Map<DnstapConnection, () => void>()
  readonly #cut = new Counters()
  #state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new'
  #total = 0
  #finished = 0
  #eof = 0
  /** counters of connections already closed (live ones are summed in stats()) */
  #framesClosed = 0
  #controlClosed = 0
  #bytesClosed = 0

  constructor(components: DnstapServerComponents, options: DnstapServerOptions) {
    this.#endpoints = options.listen.map((e) => (typeof e === 'string' ? parseDnstapEndpoint(e) : e))
    if (this.#endpoints.length === 0) {
      throw new PdnsError('ERR_BAD_ARGUMENT', 'dnstap server: no endpoint to listen on')
    }
    this.#ingest = new DnstapIngest(
      { sinkFor: components.sinkFor },
      {
        ...(options.messageTypes === undefined ? {} : { messageTypes: options.messageTypes }),
        clientAddresses: options.clientAddresses ?? false,
        // a live message without times happened now
        now: () => Date.now() * 1000,
      },
    )
    this.#log = components.log ?? null
    this.#maxFrameBytes = options.maxFrameBytes ?? MAX_DATA_FRAME_BYTES
    this.#maxConnections = options.maxConnections ?? MAX_DNSTAP_CONNECTIONS_PER_ENDPOINT
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS
    this.#idleTimeoutMs = options.idleTimeoutMs ?? DNSTAP_IDLE_TIMEOUT_MS
    const pending = options.maxPendingBytes ?? MAX_DNSTAP_PENDING_BYTES
    if (pending < this.#maxFrameBytes) {
      // one frame of the largest size must be able to arrive in pieces
      throw new PdnsError(
        'ERR_BAD_ARGUMENT',
        `dnstap server: maxPendingBytes (${pending}) is below maxFrameBytes (${this.#maxFrameBytes})`,
      )
    }
    this.#budget = new ByteBudget(pending)
    this.#socketMode = options.socketMode ?? DEFAULT_SOCKET_MODE
    this.#socketGroup = options.socketGroup ?? null
  }

  /**
   * Listens on every endpoint. Throws ERR_DNSTAP_LISTEN (an address in use, a live unix socket,
   * a path that is not a socket, …) or ERR_ABORTED, after closing whatever it had opened.
   */
  async start(opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#state !== 'new') throw new Error(`DnstapServer.start() called when ${this.#state}`)
    this.#state = 'starting'
    const signal = opts.signal
    try {
      for (const endpoint of this.#endpoints) {
        if (signal?.aborted) {
          throw new PdnsError('ERR_ABORTED', 'dnstap server start was aborted', { cause: signal.reason })
        }
        this.#listeners.push(await this.#listen(endpoint))
        // stop() ran meanwhile: it closed what existed then; this closes the rest
        if ((this.#state as string) !== 'starting') {
          throw new PdnsError('ERR_ABORTED', 'dnstap server was stopped while starting')
        }
      }
    } catch (err) {
      await this.#closeListeners()
      for (const c of this.#connections.keys()) c.close()
      this.#state = 'stopped'
      throw err
    }
    this.#state = 'running'
  }

  async #listen(endpoint: DnstapEndpoint): Promise<Listener> {
    const name = formatDnstapEndpoint(endpoint)
    if (endpoint.transport === 'unix') await clearStaleSocket(endpoint.path)
    const listener: Listener = {
      endpoint,
      name,
      server: null as unknown as Server,
      unixId: null,
      connections: 0,
    }
    const server = createServer({ allowHalfOpen: false, noDelay: true }, (socket) =>
      this.#accept(socket, listener),
    )
    listener.server = server
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        reject(new PdnsError('ERR_DNSTAP_LISTEN', `${name}: cannot listen: ${err.message}`, { cause: err }))
      }
      server.once('error', onError)
      const listening = () => {
        server.off('error', onError)
        resolve()
      }
      // born owner-only: until its group and mode are set below, only the node's user can connect
      if (endpoint.transport === 'unix')
        listenOwnerOnly(() => server.listen({ path: endpoint.path }, listening))
      else server.listen({ host: endpoint.host, port: endpoint.port }, listening)
    })
    // a listener error after start (rare: EMFILE on accept) must not crash the node
    server.on('error', () => {})
    if (endpoint.transport === 'unix') {
      try {
        await applySocketAccess(endpoint.path, { mode: this.#socketMode, gid: this.#socketGroup })
        const st = await stat(endpoint.path)
        listener.unixId = { dev: st.dev, ino: st.ino }
      } catch (err) {
        await new Promise<void>((resolve) => server.close(() => resolve()))
        if (err instanceof PdnsError) throw err
        throw new PdnsError('ERR_DNSTAP_LISTEN', `${name}: ${(err as Error).message}`, { cause: err })
      }
    }
    const a = server.address()
    if (endpoint.transport === 'tcp' && a !== null && typeof a === 'object') {
      listener.name = formatDnstapEndpoint({ transport: 'tcp', host: endpoint.host, port: a.port })
    }
    this.#bound.push(listener.name)
    return listener
  }

  #accept(socket: Socket, listener: Listener): void {
    if (this.#state !== 'running' && this.#state !== 'starting') {
      socket.destroy()
      return
    }
    if (listener.connections >= this.#maxConnections) {
      this.#cut.inc('too_many_connections')
      this.#log?.warn(
        { reason: 'too_many_connections', endpoint: listener.name, max: this.#maxConnections },
        'dnstap connection refused: too many connections on this endpoint',
      )
      socket.destroy()
      return
    }
    this.#total++
    listener.connections++
    this.#log?.info(
      { peer: peerName(socket), endpoint: listener.name, connections: this.#connections.size + 1 },
      'dnstap writer connected',
    )
    const conn = new DnstapConnection(
      socket,
      {
        onFrame: this.#ingest.frame,
        onEnd: (c, end) => this.#ended(c, end),
      },
      {
        handshakeTimeoutMs: this.#handshakeTimeoutMs,
        idleTimeoutMs: this.#idleTimeoutMs,
        maxDataFrame: this.#maxFrameBytes,
        budget: this.#budget,
      },
    )
    this.#connections.set(conn, listener)
    this.#closed.set(
      conn,
      new Promise<void>((resolve) => {
        this.#resolveClosed.set(conn, resolve)
      }),
    )
  }

  #ended(conn: DnstapConnection, end: ConnectionEnd): void {
    const listener = this.#connections.get(conn)
    if (listener !== undefined) listener.connections--
    this.#connections.delete(conn)
    this.#framesClosed += conn.frames
    this.#controlClosed += conn.controlFrames
    this.#bytesClosed += conn.bytes
    if (end.kind === 'finished') this.#finished++
    else if (end.kind === 'eof') this.#eof++
    else if (end.kind === 'cut') this.#cut.inc(end.reason satisfies CutReason)
    if (end.kind === 'cut' && end.reason === 'idle_timeout') {
      // no fault: a quiet writer's slot is freed; a resolver reconnects
      this.#log?.info({ end: end.reason, frames: conn.frames }, `dnstap writer idle, closed: ${end.message}`)
    } else if (end.kind === 'cut') {
      this.#log?.warn(
        { reason: end.reason, frames: conn.frames, code: 'ERR_DNSTAP_PROTOCOL' },
        `dnstap connection cut: ${end.message}`,
      )
    } else if (end.kind !== 'stopped') {
      this.#log?.info({ end: end.kind, frames: conn.frames }, 'dnstap writer disconnected')
    }
    this.#resolveClosed.get(conn)?.()
    this.#resolveClosed.delete(conn)
    this.#closed.delete(conn)
  }

  /**
   * Stops listening and closes every connection. Frames are processed as they arrive, so
   * everything received before the call has reached the ingest; a frame still partial is dropped.
   * Removes the unix socket files this server created. Resolves when every socket has closed (or
   * at once when `signal` aborts: the sockets are destroyed already, only their close events are
   * not awaited).
   */
  async stop(opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'new') {
      this.#state = 'stopped'
      return
    }
    this.#state = 'stopping'
    const listenersClosed = this.#closeListeners()
    for (const c of this.#connections.keys()) c.close()
    const all = Promise.all([listenersClosed, ...this.#closed.values()])
    const signal = opts.signal
    if (signal === undefined) await all
    else if (!signal.aborted) {
      const { promise: aborted, resolve } = Promise.withResolvers<void>()
      const onAbort = () => resolve()
      signal.addEventListener('abort', onAbort, { once: true })
      await Promise.race([all, aborted])
      signal.removeEventListener('abort', onAbort)
    }
    this.#state = 'stopped'
  }

  async #closeListeners(): Promise<void> {
    const listeners = this.#listeners.splice(0)
    await Promise.all(
      listeners.map(async (l) => {
        await new Promise<void>((resolve) => l.server.close(() => resolve()))
        if (l.endpoint.transport === 'unix' && l.unixId !== null) {
          // only the file this listener made: another process may have replaced it meanwhile
          try {
            const st = await stat(l.endpoint.path)
            if (st.dev === l.unixId.dev && st.ino === l.unixId.ino) await unlink(l.endpoint.path)
          } catch {}
        }
      }),
    )
  }

  /**
   * The endpoints listened on, as `unix:PATH` / `tcp:HOST:PORT` with TCP ports as bound (port 0
   * resolved); kept after stop() for reports.
   */
  addresses(): string[] {
    return [...this.#bound]
  }

  stats(): DnstapServerStats {
    const ingest = this.#ingest.stats()
    let frames = this.#framesClosed
    let controlFrames = this.#controlClosed
    let bytes = this.#bytesClosed
    const byEndpoint: Record<string, number> = {}
    for (const name of this.#bound) byEndpoint[name] = 0
    for (const [c, l] of this.#connections) {
      frames += c.frames
      controlFrames += c.controlFrames
      bytes += c.bytes
      byEndpoint[l.name] = (byEndpoint[l.name] ?? 0) + 1
    }
    return {
      endpoints: this.addresses(),
      connections: {
        current: this.#connections.size,
        total: this.#total,
        finished: this.#finished,
        eof: this.#eof,
        byEndpoint,
      },
      pendingBytes: this.#budget.used,
      frames,
      controlFrames,
      bytes,
      messages: ingest.types,
      cut: this.#cut.toJSON(),
      ingest,
    }
  }
}

function peerName(socket: Socket): string {
  return socket.remoteAddress === undefined ? 'unix' : `${socket.remoteAddress}:${socket.remotePort}`
}
