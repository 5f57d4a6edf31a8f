/**
 * Calls between the node's thread and the API's threads (api-threads.ts, api-thread.ts) over a
 * worker's message port: each side may call the other's handlers by name and get a value or an
 * error back, and a caller's abort reaches the callee's signal. A PdnsError crosses with its code,
 * message and HTTP status; anything else arrives as an internal error (the callee logs it).
 */
import { type ErrorCode, isPdnsError, PdnsError } from '../../errors.ts'
import { withStatus } from './errors.ts'

/** The part of a MessagePort or Worker used here. */
export interface Port {
  postMessage(msg: unknown): void
  on(event: 'message', listener: (msg: unknown) => void): unknown
}

type Handler = (args: unknown, opts: { signal: AbortSignal }) => unknown

interface WireError {
  code: string | null
  message: string
  status: number | null
}

export type RpcMessage =
  | { rpc: 'call'; id: number; op: string; args: unknown }
  | { rpc: 'abort'; id: number }
  | { rpc: 'reply'; id: number; ok: true; value: unknown }
  | { rpc: 'reply'; id: number; ok: false; error: WireError }

function isRpc(msg: unknown): msg is RpcMessage {
  return typeof msg === 'object' && msg !== null && typeof (msg as { rpc?: unknown }).rpc === 'string'
}

export class ThreadRpc {
  readonly #port: Port
  readonly #handlers = new Map<string, Handler>()
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>()
  /** calls being answered here, by the caller's id, to abort */
  readonly #running = new Map<number, AbortController>()
  #next = 1

  /** `other`: messages that are not calls (the owner's own, such as stop). */
  constructor(port: Port, other: (msg: unknown) => void = () => {}) {
    this.#port = port
    port.on('message', (msg) => {
      if (isRpc(msg)) this.#receive(msg)
      else other(msg)
    })
  }

  handle(op: string, fn: Handler): void {
    this.#handlers.set(op, fn)
  }

  call<T>(op: string, args: unknown, opts: { signal?: AbortSignal } = {}): Promise<T> {
    const id = this.#next++
    return new Promise<T>((resolve, reject) => {
      const signal = opts.signal
      if (signal?.aborted) {
        reject(new PdnsError('ERR_ABORTED', 'aborted'))
        return
      }
      const onAbort = () => {
        this.#port.postMessage({ rpc: 'abort', id } satisfies RpcMessage)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(v as T)
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort)
          reject(e)
        },
      })
      this.#port.postMessage({ rpc: 'call', id, op, args } satisfies RpcMessage)
    })
  }

  /** Fails every call still waiting (the other side is gone). */
  failAll(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err)
    this.#pending.clear()
    for (const c of this.#running.values()) c.abort(err)
    this.#running.clear()
  }

  #receive(msg: RpcMessage): void {
    if (msg.rpc === 'reply') {
      const p = this.#pending.get(msg.id)
      if (p === undefined) return
      this.#pending.delete(msg.id)
      if (msg.ok) p.resolve(msg.value)
      else p.reject(fromWire(msg.error))
      return
    }
    if (msg.rpc === 'abort') {
      this.#running.get(msg.id)?.abort(new PdnsError('ERR_ABORTED', 'the caller went away'))
      return
    }
    const fn = this.#handlers.get(msg.op)
    const id = msg.id
    if (fn === undefined) {
      this.#port.postMessage({
        rpc: 'reply',
        id,
        ok: false,
        error: { code: null, message: `no handler for ${msg.op}`, status: null },
      } satisfies RpcMessage)
      return
    }
    const abort = new AbortController()
    this.#running.set(id, abort)
    Promise.resolve()
      .then(() => fn(msg.args, { signal: abort.signal }))
      .then(
        (value) => this.#reply({ rpc: 'reply', id, ok: true, value }),
        (err: unknown) => this.#reply({ rpc: 'reply', id, ok: false, error: toWire(err) }),
      )
      .finally(() => this.#running.delete(id))
  }

  /** Never throws: a value that cannot be cloned is answered as an error, a closed port drops it. */
  #reply(msg: RpcMessage & { rpc: 'reply' }): void {
    try {
      this.#port.postMessage(msg)
    } catch (err) {
      try {
        this.#port.postMessage({
          rpc: 'reply',
          id: msg.id,
          ok: false,
          error: toWire(err),
        } satisfies RpcMessage)
      } catch {}
    }
  }
}

function toWire(err: unknown): WireError {
  if (isPdnsError(err)) {
    const status = (err as PdnsError & { status?: number }).status
    return { code: err.code, message: err.message, status: typeof status === 'number' ? status : null }
  }
  return { code: null, message: err instanceof Error ? err.message : String(err), status: null }
}

function fromWire(e: WireError): Error {
  if (e.code === null) return new Error(e.message)
  const err = new PdnsError(e.code as ErrorCode, e.message)
  return e.status === null ? err : withStatus(err, e.status)
}
