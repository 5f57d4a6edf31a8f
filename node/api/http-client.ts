/**
 * The client half of the control channel's HTTP: one request per connection (no keep-alive to go
 * stale between CLI calls), cancellation through an AbortSignal (ERR_ABORTED), a bound on how long
 * the node may stay silent, and every transport failure as ERR_NODE_UNREACHABLE.
 */
import type { IncomingMessage } from 'node:http'
import { ERROR_CODES, type ErrorCode, isPdnsError, PdnsError } from '../errors.ts'
import { MAX_RESPONSE_JSON_BYTES } from './limits.ts'

// Taken as the CommonJS module, not imported: node:http's ES module namespace reads every export,
// its lazy fetch/WebSocket ones too, which loads undici (about 20 ms of every CLI command's start).
const { request } = process.getBuiltinModule('node:http')

export interface ExchangeOptions {
  method: 'GET' | 'POST'
  path: string
  body?: unknown
  signal?: AbortSignal | undefined
  /** longest the node may stay silent, ms */
  idleTimeoutMs: number
}

/** A response being read; release() ends the exchange (and its connection) whatever state it is in. */
export interface Exchange {
  res: IncomingMessage
  release(): void
}

function aborted(signal: AbortSignal | undefined): PdnsError {
  return new PdnsError('ERR_ABORTED', 'cancelled', { cause: signal?.reason })
}

/** `err` as the PdnsError a caller sees: its own code if it has one, ERR_ABORTED, else ERR_NODE_UNREACHABLE. */
export function exchangeError(err: unknown, socketPath: string, signal: AbortSignal | undefined): PdnsError {
  if (isPdnsError(err)) return err
  if (signal?.aborted) return aborted(signal)
  const code = (err as NodeJS.ErrnoException).code
  const why =
    code === 'ENOENT' || code === 'ECONNREFUSED'
      ? 'no node listens there any more'
      : (err as Error).message === 'aborted' || code === 'ECONNRESET' || code === 'EPIPE'
        ? 'the node closed the connection'
        : code?.startsWith('HPE_') === true
          ? 'its answer is not HTTP'
          : (err as Error).message
  return new PdnsError('ERR_NODE_UNREACHABLE', `node at ${socketPath}: ${why}`, { cause: err })
}

/** Sends a request and resolves once the response head arrived. */
export function exchange(socketPath: string, o: ExchangeOptions): Promise<Exchange> {
  if (o.signal?.aborted) return Promise.reject(aborted(o.signal))
  const payload = o.body === undefined ? null : Buffer.from(JSON.stringify(o.body))
  return new Promise((resolve, reject) => {
    let res: IncomingMessage | null = null
    let settled = false
    const fail = (err: PdnsError) => {
      req.destroy(err)
      res?.destroy(err)
      if (!settled) {
        settled = true
        cleanup()
        reject(err)
      }
    }
    const onAbort = () => fail(aborted(o.signal))
    const cleanup = () => o.signal?.removeEventListener('abort', onAbort)
    const req = request({
      socketPath,
      method: o.method,
      path: o.path,
      agent: false,
      headers: {
        accept: 'application/json, application/x-ndjson',
        ...(payload === null
          ? {}
          : { 'content-type': 'application/json', 'content-length': String(payload.length) }),
      },
    })
    req.setTimeout(o.idleTimeoutMs, () =>
      fail(
        new PdnsError(
          'ERR_NODE_UNREACHABLE',
          `node at ${socketPath}: no answer for ${o.idleTimeoutMs < 1000 ? `${o.idleTimeoutMs} ms` : `${Math.round(o.idleTimeoutMs / 1000)} s`} (a node busy with a long write or query answers later; one that never does is stuck)`,
        ),
      ),
    )
    req.on('error', (err) => {
      if (!settled) {
        settled = true
        cleanup()
        reject(exchangeError(err, socketPath, o.signal))
      }
    })
    req.on('response', (r) => {
      res = r
      settled = true
      resolve({
        res: r,
        release: () => {
          cleanup()
          r.destroy()
          req.destroy()
        },
      })
    })
    o.signal?.addEventListener('abort', onAbort, { once: true })
    req.end(payload ?? undefined)
  })
}

/** The body of `res` as JSON (at most MAX_RESPONSE_JSON_BYTES). */
export async function readJson(res: IncomingMessage, socketPath: string): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_RESPONSE_JSON_BYTES) {
      throw new PdnsError(
        'ERR_NODE_UNREACHABLE',
        `node at ${socketPath}: answer over ${MAX_RESPONSE_JSON_BYTES} bytes`,
      )
    }
    chunks.push(chunk)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch (cause) {
    throw new PdnsError('ERR_NODE_UNREACHABLE', `node at ${socketPath}: the answer is not JSON`, { cause })
  }
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code)
}

/**
 * An error answer (status >= 400, or a `$error` line) as the PdnsError to throw: the node's own code
 * and message when it gave one (ERR_BAD_QUERY stays ERR_BAD_QUERY, so the CLI exits 2 as it would
 * locally), else ERR_NODE_UNREACHABLE.
 */
export function answerError(body: unknown, status: number, socketPath: string): PdnsError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { code?: unknown; message?: unknown }
  const message = typeof b.message === 'string' ? b.message : `status ${status}`
  if (isErrorCode(b.code)) return new PdnsError(b.code, message)
  return new PdnsError('ERR_NODE_UNREACHABLE', `node at ${socketPath}: ${message} (status ${status})`)
}
