/**
 * The node's control channel: HTTP/1.1 over the unix socket `<data>/control.sock` (mode 0600: only
 * the node's user may query it), answering the CLI's query, export and stats while the node holds the
 * database's lock. Every request is bounded in size and time (limits.ts), so no client can hold the
 * node; malformed input is answered and counted, never thrown.
 *
 * Start it after the store is open: a second node on the same data directory then fails on the
 * store's lock first, so replacing a stale socket here cannot race another starting node.
 */
import { chmod, lstat, unlink } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import { PdnsError } from '../errors.ts'
import type { Logger } from '../log/logger.ts'
import type { QueryBackend } from '../query/types.ts'
import { errorAnswer } from './error-answer.ts'
import {
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_CONTROL_CONNECTIONS,
  MAX_REQUEST_HEADER_BYTES,
  MAX_REQUEST_HEADERS,
  REQUEST_HEADERS_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
  RESPONSE_STALL_TIMEOUT_MS,
  STOP_GRACE_MS,
} from './limits.ts'
import { probeControlSocket } from './probe.ts'
import { STOPPING, type StreamOutcome } from './record-writer.ts'
import { route, sendJson } from './routes.ts'
import { unixPathProblem } from './socket-path.ts'
import type { ImportControl, MeshControl, NodeStatus } from './types.ts'

export interface ControlComponents {
  backend: QueryBackend
  /** the node's mesh; null or absent: the mesh is off */
  mesh?: MeshControl | null
  /** the merged store's digest (node/mesh/digest.ts) */
  digest?: (opts: { signal?: AbortSignal }) => Promise<unknown>
  /** re-read the configuration and apply what can change live (`pdns-mesh reload`) */
  reload?: () => Promise<unknown>
  /** the node's imports (`pdns-mesh import` while it runs); absent: it takes none */
  imports?: ImportControl | null
  /** the node's current status, asked for on each /v1/status and /v1/ping */
  status: () => NodeStatus
  log: Logger
}

/** Time bounds (ms); the defaults are limits.ts's, tests shorten them. */
export interface ControlTimeouts {
  headersMs: number
  requestMs: number
  keepAliveMs: number
  stallMs: number
  stopGraceMs: number
}

export interface ControlOptions {
  socketPath: string
  timeouts?: Partial<ControlTimeouts>
}

export interface ControlStats {
  /** requests answered or being answered */
  requests: number
  /** answered 4xx: bad bodies, unknown endpoints, bad queries */
  rejected: number
  /** answered 5xx (internal errors are logged) */
  failed: number
  /** connections that did not speak HTTP, or too slowly; answered 400/408/431 and closed */
  badConnections: number
  /** streamed answers (pages, exports) cut because the client went away or stopped reading */
  streamsCut: number
  active: number
}

export class ControlServer {
  readonly #backend: QueryBackend
  readonly #mesh: MeshControl | null
  readonly #digest: ((opts: { signal?: AbortSignal }) => Promise<unknown>) | null
  readonly #reload: (() => Promise<unknown>) | null
  readonly #imports: ImportControl | null
  readonly #status: () => NodeStatus
  readonly #log: Logger
  readonly #socketPath: string
  readonly #timeouts: ControlTimeouts
  #server: Server | null = null
  #stop = new AbortController()
  /** the socket file this server created, so stop() removes only its own */
  #inode: number | null = null
  readonly #inflight = new Set<Promise<void>>()
  readonly #stats: Omit<ControlStats, 'active'> = {
    requests: 0,
    rejected: 0,
    failed: 0,
    badConnections: 0,
    streamsCut: 0,
  }

  constructor(components: ControlComponents, options: ControlOptions) {
    this.#backend = components.backend
    this.#mesh = components.mesh ?? null
    this.#digest = components.digest ?? null
    this.#reload = components.reload ?? null
    this.#imports = components.imports ?? null
    this.#status = components.status
    this.#log = components.log
    this.#socketPath = options.socketPath
    this.#timeouts = {
      headersMs: REQUEST_HEADERS_TIMEOUT_MS,
      requestMs: REQUEST_TIMEOUT_MS,
      keepAliveMs: KEEP_ALIVE_TIMEOUT_MS,
      stallMs: RESPONSE_STALL_TIMEOUT_MS,
      stopGraceMs: STOP_GRACE_MS,
      ...options.timeouts,
    }
  }

  get socketPath(): string {
    return this.#socketPath
  }

  stats(): ControlStats {
    return { ...this.#stats, active: this.#inflight.size }
  }

  /**
   * Listens on the socket. ERR_NODE_RUNNING when something already accepts connections there; a
   * stale socket file (its node crashed or was killed) is replaced; a file that is not a socket is
   * never removed (ERR_DB_IO).
   */
  async start(opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#server !== null) return
    const path = this.#socketPath
    const tooLong = unixPathProblem(path)
    if (tooLong !== null) throw new PdnsError('ERR_CONFIG', `control socket: ${tooLong}`)
    const state = await probeControlSocket(path, opts)
    if (state === 'alive') {
      throw new PdnsError('ERR_NODE_RUNNING', `a node already runs here: ${path} answers`)
    }
    if (state === 'stale') {
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') {
          throw new PdnsError('ERR_DB_IO', `cannot remove the stale socket ${path}: ${err.message}`, {
            cause: err,
          })
        }
      })
      this.#log.info({ path }, 'replaced a stale control socket (a node that did not stop cleanly)')
    }
    const server = this.#createServer()
    await listen(server, path)
    try {
      // the umask already made it 0600 where it could be set (not in a worker thread)
      await chmod(path, 0o600)
      this.#inode = (await lstat(path)).ino
    } catch (err) {
      server.close()
      throw new PdnsError('ERR_DB_IO', `cannot restrict ${path} to its owner: ${(err as Error).message}`, {
        cause: err,
      })
    }
    // after listening: errors of the listening socket (rare: EMFILE on accept) must not crash the node
    server.on('error', (err) => this.#log.error({ err }, 'control socket error'))
    this.#stop = new AbortController()
    this.#server = server
    this.#log.debug({ path }, 'control socket listening')
  }

  /**
   * Stops accepting, tells answers in flight to end (an export ends with an `$error` line saying the
   * node stopped), closes idle connections at once and the rest after STOP_GRACE_MS, and removes the
   * socket file.
   */
  async stop(): Promise<void> {
    const server = this.#server
    if (server === null) return
    this.#server = null
    this.#stop.abort(STOPPING)
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections()
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.allSettled([...this.#inflight]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, this.#timeouts.stopGraceMs)
      }),
    ])
    clearTimeout(timer)
    server.closeAllConnections()
    await closed
    // closing a listening unix socket removes its file; remove it here only if that did not happen
    // and the file there is still the one this server created
    try {
      if ((await lstat(this.#socketPath)).ino === this.#inode) await unlink(this.#socketPath)
    } catch {
      // gone already
    }
    this.#inode = null
    this.#log.debug({ path: this.#socketPath }, 'control socket closed')
  }

  #createServer(): Server {
    const t = this.#timeouts
    const server = createServer(
      {
        maxHeaderSize: MAX_REQUEST_HEADER_BYTES,
        headersTimeout: t.headersMs,
        requestTimeout: t.requestMs,
        keepAliveTimeout: t.keepAliveMs,
        // how often the two timeouts above are checked (Node's default, 30 s, would let a slow client
        // stay far beyond them)
        connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(t.headersMs / 4))),
        // a unix socket has no virtual hosts
        requireHostHeader: false,
      },
      (req, res) => this.#onRequest(req, res),
    )
    server.maxHeadersCount = MAX_REQUEST_HEADERS
    server.maxConnections = MAX_CONTROL_CONNECTIONS
    server.on('clientError', (err, socket) => this.#onClientError(err, socket))
    return server
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.#stats.requests++
    const started = performance.now()
    const gone = new AbortController()
    res.on('close', () => gone.abort('client gone'))
    const ctx = {
      backend: this.#backend,
      mesh: this.#mesh,
      digest: this.#digest,
      reload: this.#reload,
      imports: this.#imports,
      status: this.#status,
      log: this.#log,
      signal: AbortSignal.any([this.#stop.signal, gone.signal]),
      stallTimeoutMs: this.#timeouts.stallMs,
      streamed: (path: string, outcome: StreamOutcome, records: number) => {
        if (outcome === 'client-gone' || outcome === 'stalled') this.#stats.streamsCut++
        const level = outcome === 'stalled' ? 'warn' : 'debug'
        this.#log[level]({ path, outcome, records }, 'streamed answer ended')
      },
    }
    // in flight until the answer is handed to the kernel (or the connection is gone): stop() must
    // not cut an answer that was complete but still queued behind a slow reader
    const closed = new Promise<void>((resolve) => res.once('close', resolve))
    const answered = route(ctx, req, res).catch((err: unknown) => this.#fail(res, err))
    const done: Promise<void> = Promise.all([answered, closed]).then(() => {
      this.#inflight.delete(done)
    })
    this.#inflight.add(done)
    void answered.then(() => {
      if (res.statusCode >= 500) this.#stats.failed++
      else if (res.statusCode >= 400) this.#stats.rejected++
      this.#log.debug(
        {
          method: req.method,
          path: req.url,
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        },
        'control request',
      )
    })
  }

  #fail(res: ServerResponse, err: unknown): void {
    const a = errorAnswer(err)
    if (a.internal) this.#log.error({ err }, 'control request failed')
    if (res.headersSent) res.destroy()
    else if (!res.destroyed) sendJson(res, a.status, a.body)
  }

  /** Bytes that are not HTTP, a head too large, a client too slow: answer if possible, then close. */
  #onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    this.#stats.badConnections++
    this.#log.debug({ code: err.code, message: err.message }, 'bad connection on the control socket')
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy()
      return
    }
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
  }
}

/** Binds with umask 0177, so the socket is 0600 from its first instant (no window for another user). */
function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = async (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        const isSocket = await lstat(path).then(
          (s) => s.isSocket(),
          () => false,
        )
        reject(
          isSocket
            ? new PdnsError('ERR_NODE_RUNNING', `a node already runs here: ${path} is taken`, { cause: err })
            : new PdnsError('ERR_DB_IO', `${path} exists and is not a socket (remove it)`, { cause: err }),
        )
        return
      }
      reject(new PdnsError('ERR_DB_IO', `cannot listen on ${path}: ${err.message}`, { cause: err }))
    }
    server.once('error', onError)
    let mask: number | null = null
    try {
      mask = process.umask(0o177)
    } catch {
      // worker threads cannot change the umask: start() chmods right after binding instead
    }
    try {
      server.listen(path, () => {
        server.off('error', onError)
        resolve()
      })
    } finally {
      if (mask !== null) process.umask(mask)
    }
  })
}
